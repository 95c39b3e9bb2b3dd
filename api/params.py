"""Query parameters that many routes share, declared once: a page of a list (`Limit`,
`Offset`) and a day that defaults to today (`Today`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from registry.schemas.fields import MAX_ID

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="rows to skip")]


def _today(today: Annotated[date | None, Query(description="default: today")] = None) -> date:
    """The day asked for, or the server's today."""
    return today or date.today()


Today = Annotated[date, Depends(_today)]
