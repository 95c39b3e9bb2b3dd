"""The worker's monthly report, as the offices' workflow has it: generated from the month's
accepted visits (`tracking.review`), completed by the worker (a comment and a confirmation),
signed off by the head of department. States: draft -> completed -> signed; the head may
return a completed report to draft (with a comment). Every change is audited.

The lines (per client and service: visits, minutes) are read from the visits while the report
is open; signing keeps them in the report (`lines`), and the month's visits are then final
(`tracking.review.decide` refuses a change).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import audit
from core.db import Base
from core.errors import DomainError
from core.models import User
from registry.models import Worker
from tracking.review import counted_sql, month_bounds, services_sql

STATES = ("draft", "completed", "signed")
MAX_COMMENT = 2000


class WorkerMonthReport(Base):
    __tablename__ = "worker_month_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # its first day
    state: Mapped[str] = mapped_column(String(12), default="draft")
    worker_comment: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    head_comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    lines: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONB(none_as_null=True), nullable=True
    )
    __table_args__ = (
        UniqueConstraint("worker_id", "office_id", "month", name="uq_worker_month_report"),
        CheckConstraint("state IN ('draft', 'completed', 'signed')", name="state"),
    )


_LINES = f"""
    SELECT v.client_id, c.full_name AS client_name, e ->> 'code' AS service_code,
           coalesce(min(s.name), e ->> 'code') AS service_name, count(*) AS visits,
           sum(coalesce((e ->> 'minutes')::numeric, s.standard_minutes, 0)) AS minutes
    FROM visit v
    JOIN client c ON c.id = v.client_id
    CROSS JOIN LATERAL jsonb_array_elements({services_sql("v")}) e
    LEFT JOIN service s ON s.office_id = v.office_id AND s.code = e ->> 'code'
    WHERE v.worker_id = :worker AND v.office_id = :office AND v.day BETWEEN :start AND :end
      AND v.status = 'done' AND v.review IN ('accepted', 'corrected') AND {counted_sql("v")}
    GROUP BY v.client_id, c.full_name, e ->> 'code'
    ORDER BY c.full_name, v.client_id, e ->> 'code'
"""

_COUNTS = """
    SELECT count(*) FILTER (WHERE review IN ('accepted', 'corrected')) AS accepted,
           count(*) FILTER (WHERE review = 'corrected') AS corrected,
           count(*) FILTER (WHERE review = 'rejected') AS rejected,
           count(*) FILTER (WHERE review IS NULL) AS unreviewed
    FROM visit
    WHERE worker_id = :worker AND office_id = :office AND day BETWEEN :start AND :end
      AND status = 'done'
"""


def _error(message: str, code: str, *, status: int = 409, **params: Any) -> DomainError:
    return DomainError(message, status=status, code=f"monthly.{code}", params=params)


def _params(worker: Worker, month: date) -> dict[str, Any]:
    start, end = month_bounds(month)
    return {"worker": worker.id, "office": worker.office_id, "start": start, "end": end}


def lines_of(session: Session, *, worker: Worker, month: date) -> list[dict[str, Any]]:
    """Per client and service: accepted visits and their minutes in the month."""
    rows = session.execute(text(_LINES), _params(worker, month))
    return [
        {**row._mapping, "visits": int(row.visits), "minutes": round(float(row.minutes))}
        for row in rows
    ]


def _report(session: Session, *, worker: Worker, month: date) -> WorkerMonthReport | None:
    return session.scalars(
        select(WorkerMonthReport)
        .where(
            WorkerMonthReport.worker_id == worker.id,
            WorkerMonthReport.office_id == worker.office_id,
            WorkerMonthReport.month == month.replace(day=1),
        )
        .with_for_update()
    ).one_or_none()


def _open(session: Session, *, worker: Worker, month: date) -> WorkerMonthReport:
    """The month's report row, made (as a draft) if missing."""
    report = _report(session, worker=worker, month=month)
    if report is None:
        report = WorkerMonthReport(
            office_id=worker.office_id,
            worker_id=worker.id,
            month=month.replace(day=1),
            state="draft",
            worker_comment="",
            head_comment="",
        )
        session.add(report)
        session.flush()
    return report


def view(session: Session, *, worker: Worker, month: date) -> dict[str, Any]:
    """The report as it stands: state, comments, lines (kept ones once signed), counts."""
    report = _report(session, worker=worker, month=month)
    state = report.state if report else "draft"
    lines = report.lines if report and report.state == "signed" and report.lines is not None else (
        lines_of(session, worker=worker, month=month))  # fmt: skip
    counts = {k: int(v or 0) for k, v in session.execute(text(_COUNTS), _params(worker, month))
              .one()._mapping.items()}  # fmt: skip
    start, end = month_bounds(month)
    return {
        "worker_id": worker.id,
        "worker_name": worker.full_name,
        "office_id": worker.office_id,
        "month": start.isoformat()[:7],
        "start": start,
        "end": end,
        "state": state,
        "worker_comment": report.worker_comment if report else "",
        "completed_at": report.completed_at if report else None,
        "head_comment": report.head_comment if report else "",
        "signed_at": report.signed_at if report else None,
        "lines": lines,
        "total_services": sum(line["visits"] for line in lines),
        "total_minutes": sum(line["minutes"] for line in lines),
        "counts": counts,
    }


def _comment(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_COMMENT:
        raise DomainError("the comment is too long", status=422, field="comment",
                          code="monthly.comment_too_long")  # fmt: skip
    return value


def _audit(session: Session, *, user: User, report: WorkerMonthReport, action: str,
           before: str) -> None:  # fmt: skip
    audit.record(
        session,
        user=user,
        action=f"worker_month_report.{action}",
        entity="worker_month_report",
        entity_id=report.id,
        changes={"state": {"from": before, "to": report.state},
                 "month": report.month.isoformat(), "worker_id": report.worker_id},
        office_id=report.office_id,
    )  # fmt: skip


def complete(
    session: Session, *, worker: Worker, month: date, user: User, comment: str
) -> dict[str, Any]:
    """The worker completes their report: their comment, confirmed (draft -> completed)."""
    comment = _comment(comment)
    report = _open(session, worker=worker, month=month)
    if report.state != "draft":
        raise _error(f"the report is {report.state}", "not_draft", state=report.state)
    before = report.state
    report.state, report.worker_comment = "completed", comment
    report.completed_at = datetime.now(UTC)
    _audit(session, user=user, report=report, action="complete", before=before)
    session.flush()
    return view(session, worker=worker, month=month)


def sign(
    session: Session, *, worker: Worker, month: date, user: User, comment: str
) -> dict[str, Any]:
    """The head signs the completed report off: its lines are kept, its visits final. Refused
    while a finished visit of the month waits for review."""
    comment = _comment(comment)
    report = _open(session, worker=worker, month=month)
    if report.state != "completed":
        raise _error(f"the report is {report.state}", "not_completed", state=report.state)
    waiting = int(session.execute(text(_COUNTS), _params(worker, month)).one().unreviewed or 0)
    if waiting:
        raise _error(f"{waiting} visits wait for review", "unreviewed", count=waiting)
    before = report.state
    report.lines = [
        {k: v for k, v in line.items()} for line in lines_of(session, worker=worker, month=month)
    ]
    report.state, report.head_comment = "signed", comment
    report.signed_at, report.signed_by = datetime.now(UTC), user.id
    _audit(session, user=user, report=report, action="sign", before=before)
    session.flush()
    return view(session, worker=worker, month=month)


def send_back(
    session: Session, *, worker: Worker, month: date, user: User, comment: str
) -> dict[str, Any]:
    """The head returns a completed report to the worker (completed -> draft) with a comment."""
    comment = _comment(comment)
    if not comment:
        raise DomainError("a comment is required", status=422, field="comment",
                          code="monthly.comment_required")  # fmt: skip
    report = _open(session, worker=worker, month=month)
    if report.state != "completed":
        raise _error(f"the report is {report.state}", "not_completed", state=report.state)
    before = report.state
    report.state, report.head_comment, report.completed_at = "draft", comment, None
    _audit(session, user=user, report=report, action="send_back", before=before)
    session.flush()
    return view(session, worker=worker, month=month)
