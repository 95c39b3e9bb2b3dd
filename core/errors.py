"""Errors every layer may raise; the API answers them as JSON (see api/errors.py)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; answered with `status` and the field it concerns."""

    def __init__(self, message: str, *, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.field = message, status, field
