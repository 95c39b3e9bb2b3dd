"""Errors every layer may raise; the API answers them as JSON (see api/errors.py).

`message` is for logs and API users; `code` and `params` are for the pages, which say the
error in the user's language from their catalogue (`error.code.<code>` with `params` filled in).
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A rule of the domain was broken; answered with `status` and the field it concerns."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, str | int | float | None] | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.field = message, status, field
        self.code = code
        self.params = dict(params or {})
