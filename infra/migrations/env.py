"""Alembic environment: the database URL comes from the project's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import infra.migrations.all_models  # noqa: F401  (registers every table on the metadata)
from core.db import Base
from core.settings import get_settings

# Tables PostGIS owns; never part of our migrations.
POSTGIS_TABLES = {"spatial_ref_sys"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in POSTGIS_TABLES)


def run_migrations() -> None:
    url = context.config.attributes.get("url") or get_settings().database_url
    connectable = context.config.attributes.get("connection") or create_engine(url)
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
