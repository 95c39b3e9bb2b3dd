"""Imports every package's tables so the metadata (and Alembic) sees the whole schema."""

import core.models  # noqa: F401
import planner.models  # noqa: F401
import zones.models  # noqa: F401

try:  # tracking's tables, once that package defines them
    import tracking.models  # noqa: F401
except ModuleNotFoundError as exc:
    if exc.name != "tracking.models":
        raise
import tracking.feedback  # noqa: E402, F401
