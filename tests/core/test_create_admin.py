"""A new installation gets its first administrator from the command line, without the demo."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import core.db
from api import create_admin as command
from core.models import AuditEntry, Role, User


@pytest.fixture
def in_test_session(db: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    @contextmanager
    def use_test_session() -> Iterator[Session]:
        yield db
        db.flush()

    monkeypatch.setattr(core.db, "session_scope", use_test_session)
    return db


def _run(monkeypatch: pytest.MonkeyPatch, password: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return command.main(["--password-stdin", *args])


def test_the_first_administrator_logs_in(
    in_test_session: Session, api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        _run(monkeypatch, "long enough pass", "--username", "chief", "--full-name", "Иванова") == 0
    )
    user = in_test_session.scalars(select(User).where(User.username == "chief")).one()
    assert user.role == Role.ADMIN and user.full_name == "Иванова"
    assert user.password_hash != "long enough pass"
    logged = api.post("/api/auth/token", data={"username": "chief", "password": "long enough pass"})
    assert logged.status_code == 200, logged.text
    entry = in_test_session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))
    ).one()
    assert entry.changes["role"] == "admin"


def test_a_taken_name_or_a_short_password_is_refused(
    in_test_session: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, "short", "--username", "chief") == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert _run(monkeypatch, "long enough pass", "--username", "chief") == 0
    assert _run(monkeypatch, "another long one", "--username", "chief") == 2
    assert "is taken" in capsys.readouterr().err
    count = in_test_session.scalars(select(User).where(User.username == "chief")).all()
    assert len(count) == 1
