"""The schema is built by migrations only: upgrade from empty and downgrade to empty both work."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from core.settings import get_settings
from tests.conftest import alembic_config


def test_upgrade_from_empty_and_downgrade_to_empty() -> None:
    admin_url = get_settings().database_url.rsplit("/", 1)[0] + "/postgres"
    scratch_url = admin_url.rsplit("/", 1)[0] + "/careroute_migrations"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS careroute_migrations WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE careroute_migrations"))
    scratch = create_engine(scratch_url)
    try:
        with scratch.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        config = alembic_config()
        config.attributes["url"] = scratch_url
        command.upgrade(config, "head")
        tables = set(inspect(scratch).get_table_names())
        assert {"client", "worker", "care_plan_line", "plan_stop", "zone_client"} <= tables

        command.downgrade(config, "base")
        left = set(inspect(scratch).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        assert left == set()
        with scratch.connect() as conn:
            types = conn.scalars(
                text("SELECT typname FROM pg_type WHERE typname = 'client_status'")
            )
            assert types.all() == []

        command.upgrade(config, "head")  # and up again: nothing was left behind
    finally:
        scratch.dispose()
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS careroute_migrations WITH (FORCE)"))
        admin.dispose()
