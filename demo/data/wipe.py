"""Remove a region and everything that hangs on it, whatever tables other packages add.

Follows the foreign keys as PostgreSQL knows them: rows that must reference a removed row
are removed first (recursively); optional references are set to NULL. So plans, zones,
tracking data and anything added later go with the region without this module knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

MAX_DEPTH = 8  # deeper chains of references would mean a cycle

_FOREIGN_KEYS = text(
    """
    SELECT child.relname AS child, col.attname AS column, col.attnotnull AS required,
           parent.relname AS parent, ref.attname AS referenced
    FROM pg_constraint con
    JOIN pg_class child ON child.oid = con.conrelid
    JOIN pg_class parent ON parent.oid = con.confrelid
    JOIN pg_namespace ns ON ns.oid = child.relnamespace
    JOIN pg_attribute col ON col.attrelid = con.conrelid AND col.attnum = con.conkey[1]
    JOIN pg_attribute ref ON ref.attrelid = con.confrelid AND ref.attnum = con.confkey[1]
    WHERE con.contype = 'f' AND cardinality(con.conkey) = 1 AND con.conparentid = 0
      AND ns.nspname = current_schema()
    """
)


@dataclass(frozen=True, slots=True)
class _Reference:
    child: str
    column: str
    required: bool
    parent: str
    referenced: str


def delete_rows(session: Session, table: str, where: str, params: dict[str, object]) -> None:
    """Delete `table` rows matching `where` (SQL over that table) and all rows that need them."""
    references = [_Reference(**row._mapping) for row in session.execute(_FOREIGN_KEYS)]
    _delete(session, references, table, where, params, depth=0)


def _delete(
    session: Session,
    references: list[_Reference],
    table: str,
    where: str,
    params: dict[str, object],
    depth: int,
) -> None:
    if depth > MAX_DEPTH:
        raise RuntimeError(f"references from {table} go too deep to delete safely")
    for ref in (r for r in references if r.parent == table and r.child != table):
        inside = f'"{ref.column}" IN (SELECT "{ref.referenced}" FROM "{table}" WHERE {where})'
        if ref.required:
            _delete(session, references, ref.child, inside, params, depth + 1)
        else:
            session.execute(
                text(f'UPDATE "{ref.child}" SET "{ref.column}" = NULL WHERE {inside}'), params
            )
    session.execute(text(f'DELETE FROM "{table}" WHERE {where}'), params)
