"""What an import from a file answers: rows read and written, each bad row's column and
reason."""

from __future__ import annotations

from pydantic import (
    BaseModel,
)


class ImportRowError(BaseModel):
    """A bad row's column and reason: `message` in English; `code` (`import.*` or
    `pydantic.<error type>`, null when there is none) and `params` to say it in another
    language."""

    row: int
    field: str
    message: str
    code: str | None = None
    params: dict[str, str | int | float | None] = {}


class ImportAnswer(BaseModel):
    """What an import did (or, with mode=check, would do): rows read and written, addresses
    geocoded or still to place, each bad row's column and reason, the ids written."""

    ok: bool
    kind: str
    mode: str
    rows: int
    written: int
    geocoded: int
    needs_location: int
    errors: list[ImportRowError]
    skipped_rows: list[int]
    ids: list[int]
