"""A private database for the demo commands: they commit, load a month's worth of rows and
must be run twice, so they get a database of their own (created, migrated, dropped) instead
of the shared test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core.settings import get_settings
from tests.conftest import alembic_config


def demo_day() -> date:
    """The day the tests treat as today: today if a weekday, else the last Friday (the
    demo workers have no weekend shifts), so the day is never ahead of the clock."""
    day = datetime.now(ZoneInfo(get_settings().timezone)).date()
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture(scope="session")
def private_url() -> Iterator[str]:
    base = make_url(get_settings().database_url)
    name = f"careroute_demo_t{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    setup = create_engine(url, isolation_level="AUTOCOMMIT")
    with setup.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    setup.dispose()
    config = alembic_config()
    config.attributes["url"] = url
    command.upgrade(config, "head")
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def private_engine(private_url: str) -> Iterator[Engine]:
    engine = create_engine(private_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def private_scope(private_engine: Engine):  # type: ignore[no-untyped-def]
    """`session_scope` on the private database."""
    factory = sessionmaker(bind=private_engine, expire_on_commit=False)

    @contextmanager
    def scope() -> Iterator[Session]:
        session = factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    return scope


@pytest.fixture(scope="session")
def demo_loaded(private_scope, monkeypatch_session):  # type: ignore[no-untyped-def]
    """`careroute demo` run once on the private database: one week of history."""
    from demo import cli as demo_cli

    monkeypatch_session.setattr(demo_cli, "open_session", private_scope)
    return demo_cli.run(today=demo_day(), weeks=1, time_limit_s=2.0)


@pytest.fixture(scope="session")
def monkeypatch_session() -> Iterator[pytest.MonkeyPatch]:
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()
