"""The audit log: who changed what and when. Called by every service that edits the registry,
zones or plans, inside the same transaction as the change itself."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from core.models import AuditEntry, User


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Fields whose values changed, as {"field": {"from": old, "to": new}}."""
    return {
        key: {"from": _plain(before.get(key)), "to": _plain(after.get(key))}
        for key in sorted(set(before) | set(after))
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def record(
    session: Session,
    *,
    user: User | None,
    action: str,
    entity: str,
    entity_id: int | str,
    changes: dict[str, Any] | None = None,
    office_id: int | None = None,
) -> AuditEntry:
    """Adds one audit entry to the session (committed with the change it describes)."""
    entry = AuditEntry(
        user_id=user.id if user else None,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        office_id=office_id,
        changes=_plain(changes or {}),
    )
    session.add(entry)
    return entry
