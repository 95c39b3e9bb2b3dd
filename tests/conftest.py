"""Test set-up: the project's own PostgreSQL+PostGIS and Redis (started by infra/services.sh),
a test database migrated once per run, and a session per test that is rolled back."""

from __future__ import annotations

import os

# Point every setting at the test database and a separate Redis db before anything reads them.
os.environ.setdefault(
    "DATABASE_URL", "postgresql+psycopg://careroute:careroute@127.0.0.1:54329/careroute_test"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:63799/15")
os.environ.setdefault("ENVIRONMENT", "test")
os.environ.setdefault("LOG_JSON", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("MAINTENANCE_INTERVAL_S", "0")  # tests run upkeep themselves

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def alembic_config() -> Config:
    config = Config(str(ROOT / "infra" / "alembic.ini"))
    config.attributes["url"] = get_settings().database_url
    return config


@pytest.fixture(scope="session")
def migrated() -> None:
    """The test database at the newest schema; with CAREROUTE_TEST_RESET=1 (as infra/test.sh
    sets it) also emptied of any earlier run's rows. Without it nothing is truncated, so test
    runs started side by side on one machine do not lock each other out."""
    engine = get_engine()
    command.upgrade(alembic_config(), "head")
    if os.environ.get("CAREROUTE_TEST_RESET") != "1":
        return
    with engine.begin() as conn:
        tables = conn.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('spatial_ref_sys', 'alembic_version')"
            )
        ).all()
        if tables:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def connection(migrated: None) -> Iterator[Connection]:
    with get_engine().connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session whose commits become savepoints: everything is rolled back after the test."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()


@pytest.fixture
def api(db: Session) -> Iterator[TestClient]:
    """The API on the rolled-back session."""
    from api.main import app
    from core.deps import get_session

    def _session() -> Iterator[Session]:
        yield db
        db.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as client:
        yield client
    app.dependency_overrides.clear()


@pytest.fixture(autouse=True)
def _forget_failed_logins(request: pytest.FixtureRequest) -> None:
    """Each test that logs in starts without earlier tests' wrong passwords or device requests
    counted against it (login throttling and the devices' rate limits: all tests come from one
    address)."""
    if not {"api", "server", "app_client"} & set(request.fixturenames):
        return
    from core.redis import get_redis

    try:
        client = get_redis()
        keys = [k for pattern in ("login:*", "rl:*") for k in client.scan_iter(pattern, count=1000)]
        if keys:
            client.delete(*keys)
    except Exception:  # Redis down (a fault test): nothing to forget
        pass


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
