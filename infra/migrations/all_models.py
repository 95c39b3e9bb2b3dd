"""Imports every package's tables so the metadata (and Alembic) sees the whole schema."""

import core.models  # noqa: F401
import planner.models  # noqa: F401
import tracking.feedback
import tracking.models  # noqa: F401
import zones.models  # noqa: F401
