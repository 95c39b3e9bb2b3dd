"""The head of department's review through the API: one decision per visit, corrections that
keep the reported figures, what the reports then count, the worker's monthly report from
draft to signed, ratings recorded by the office, and bad input answered with a code."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.reports import pivot, queries, rollup
from api.reports.schemas import Filters
from core.models import AuditEntry, Role
from core.settings import get_settings
from tests import factories
from tracking.feedback import ClientFeedback
from tracking.models import Visit

TZ = ZoneInfo(get_settings().timezone)
MONDAY = date(2026, 10, 5)


def _visit(db: Session, office: Any, worker: Any, client: Any, day: date, minutes: int,
           **fields: Any) -> Visit:  # fmt: skip
    start = datetime.combine(day, datetime.min.time(), TZ) + timedelta(hours=10)
    visit = Visit(
        office_id=office.id, worker_id=worker.id, client_id=client.id, day=day, status="done",
        planned_start=start, arrived_at=start, departed_at=start + timedelta(minutes=minutes),
        tapped_arrival=start, tapped_departure=start + timedelta(minutes=minutes),
        arrival_source="tapped", departure_source="tapped",
        services=[{"code": "C01", "minutes": minutes}], minutes=minutes, confirmed=True,
        reason="", flags=fields.pop("flags", []), **fields,
    )  # fmt: skip
    db.add(visit)
    db.flush()
    return visit


def _world(db: Session) -> dict[str, Any]:
    office = factories.office(db)
    factories.service(db, office, "C01", 30)
    factories.service(db, office, "B02", 20)
    head = factories.user(db, Role.SUPERVISOR, offices=[office])
    login = factories.user(db, Role.WORKER)
    worker = factories.worker(db, office, login, full_name='=HYPERLINK("x")')
    client = factories.client(db, office, full_name="Белов Пётр Ильич")
    visits = [
        _visit(db, office, worker, client, MONDAY, 30),  # fine
        _visit(db, office, worker, client, MONDAY + timedelta(days=1), 90),  # too long
        _visit(
            db,
            office,
            worker,
            client,
            MONDAY + timedelta(days=2),
            35,
            flags=["unverified", "geofence"],
            max_distance_m=9000.0,
        ),
    ]
    return {"office": office, "head": head, "login": login, "worker": worker,
            "client": client, "visits": visits}  # fmt: skip


def _timing_total(db: Session, office_id: int) -> dict[str, Any]:
    filters = Filters((office_id,), MONDAY, MONDAY + timedelta(days=6))
    return next(r for r in queries.worker_timing(db, filters=filters) if r["level"] == "total")


def test_review_list_flags_and_decisions(api: TestClient, db: Session) -> None:
    w = _world(db)
    head = factories.auth(w["head"])
    listed = api.get(f"/api/offices/{w['office'].id}/review", params={"month": "2026-10"},
                     headers=head)  # fmt: skip
    assert listed.status_code == 200, listed.text
    rows = {r["id"]: r for r in listed.json()["visits"]}
    fine, long_, far = w["visits"]
    assert rows[fine.id]["flags"] == [] and rows[fine.id]["review"] is None
    assert "too_long" in rows[long_.id]["flags"]
    assert "unverified" in rows[far.id]["flags"]

    # before any decision: the unverified visit is not counted, the other two are, unreviewed
    total = _timing_total(db, w["office"].id)
    assert (total["visits_done"], total["visits_unreviewed"]) == (2, 2)
    assert total["on_site_actual_min"] == 120

    # accept the unflagged ones in one go: only the fine visit
    bulk = api.post(f"/api/offices/{w['office'].id}/review/accept-unflagged",
                    json={"month": "2026-10"}, headers=head)  # fmt: skip
    assert bulk.json() == {"accepted": 1}

    # correct the long visit: 45 minutes and two services; the reported figures stay
    corrected = api.post(
        f"/api/visits/{long_.id}/review",
        json={"decision": "corrected", "reason": "ушла раньше", "minutes": 45,
              "services": [{"code": "C01", "minutes": 30}, {"code": "B02"}]},
        headers=head,
    )  # fmt: skip
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert body["review"] == "corrected" and body["corrected_minutes"] == 45
    assert body["corrected_services"] == [{"code": "C01", "minutes": 30},
                                          {"code": "B02", "minutes": 20}]  # fmt: skip
    assert body["minutes"] == 90 and body["services"] == [{"code": "C01", "minutes": 90}]

    # reject the far-away one: still nowhere in the reports
    rejected = api.post(f"/api/visits/{far.id}/review",
                        json={"decision": "rejected", "reason": "не была у клиента"},
                        headers=head)  # fmt: skip
    assert rejected.json()["review"] == "rejected"

    total = _timing_total(db, w["office"].id)
    assert total["visits_done"] == 2 and total["visits_unreviewed"] == 0
    assert total["visits_corrected"] == 1 and total["visits_rejected"] == 1
    assert total["on_site_actual_min"] == 30 + 45  # the corrected minutes, not 90
    assert total["services"] == 3
    month = rollup.rollup(db, query=rollup.RollupQuery((w["office"].id,), MONDAY,
                                                       MONDAY + timedelta(days=6)))  # fmt: skip
    worker_row = next(r for r in month if r["level"] == "worker" and r["bucket"])
    assert (worker_row["visits"], worker_row["on_site_min"]) == (2, 75)
    found = pivot.pivot(db, office_ids=(w["office"].id,), start=MONDAY,
                        end=MONDAY + timedelta(days=6), rows="worker", columns=None,
                        measure="minutes_actual")  # fmt: skip
    assert found["total"] == 75

    # every decision is audited, with what changed
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "visit",
                                        AuditEntry.entity_id.in_([str(v.id) for v in w["visits"]]))
    ).all()  # fmt: skip
    assert sorted(actions) == ["visit.accepted", "visit.corrected", "visit.rejected"]

    # one state per visit: accepting the corrected visit drops the correction
    again = api.post(f"/api/visits/{long_.id}/review", json={"decision": "accepted"},
                     headers=head)  # fmt: skip
    assert again.json()["review"] == "accepted" and again.json()["corrected_minutes"] is None


def test_bad_review_input_is_refused_with_a_code(api: TestClient, db: Session) -> None:
    w = _world(db)
    head = {**factories.auth(w["head"]), "Accept-Language": "ru"}
    visit = w["visits"][0]
    url = f"/api/visits/{visit.id}/review"
    no_reason = api.post(url, json={"decision": "rejected"}, headers=head)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "review.reason_required"
    nothing = api.post(url, json={"decision": "corrected", "reason": "x"}, headers=head)
    assert nothing.json()["code"] == "review.nothing_corrected"
    unknown = api.post(url, json={"decision": "corrected", "reason": "x",
                                  "services": [{"code": "ZZ9"}]}, headers=head)  # fmt: skip
    assert unknown.status_code == 422 and unknown.json()["code"] == "review.unknown_service"
    assert api.post(url, json={"decision": "maybe"}, headers=head).status_code == 422
    assert api.post(url, json={"decision": "corrected", "reason": "x", "minutes": -5},
                    headers=head).status_code == 422  # fmt: skip
    db.refresh(visit)
    assert visit.review is None and visit.corrected_minutes is None  # nothing half-written
    # a worker reaches no review
    worker = factories.auth(w["login"])
    assert api.post(url, json={"decision": "accepted"}, headers=worker).status_code == 403
    assert api.get(f"/api/offices/{w['office'].id}/review", params={"day": "2026-10-05"},
                   headers=worker).status_code == 403  # fmt: skip


def test_monthly_report_from_draft_to_signed(api: TestClient, db: Session) -> None:
    w = _world(db)
    head = factories.auth(w["head"])
    mine = factories.auth(w["login"])
    fine, long_, far = w["visits"]
    api.post(f"/api/visits/{fine.id}/review", json={"decision": "accepted"}, headers=head)

    draft = api.get("/api/me/monthly-report", params={"month": "2026-10"}, headers=mine).json()
    assert draft["state"] == "draft"
    assert [(x["service_code"], x["visits"], x["minutes"]) for x in draft["lines"]] == [
        ("C01", 1, 30)
    ]  # only the accepted visit
    assert draft["counts"] == {"accepted": 1, "corrected": 0, "rejected": 0, "unreviewed": 2}

    # the head cannot sign a draft; the worker completes it; it cannot be completed twice
    url = f"/api/workers/{w['worker'].id}/monthly-report"
    early = api.post(f"{url}/sign", json={"month": "2026-10"}, headers=head)
    assert early.status_code == 409 and early.json()["code"] == "monthly.not_completed"
    done = api.post("/api/me/monthly-report/complete",
                    json={"month": "2026-10", "comment": "всё верно"}, headers=mine)  # fmt: skip
    assert done.status_code == 200 and done.json()["state"] == "completed"
    twice = api.post("/api/me/monthly-report/complete", json={"month": "2026-10"}, headers=mine)
    assert twice.status_code == 409

    # visits still waiting for review hold the signature back
    waiting = api.post(f"{url}/sign", json={"month": "2026-10"}, headers=head)
    assert waiting.status_code == 409 and waiting.json()["params"] == {"count": 2}
    api.post(f"/api/visits/{long_.id}/review",
             json={"decision": "corrected", "reason": "норматив", "minutes": 40,
                   "services": [{"code": "C01", "minutes": 40}]}, headers=head)  # fmt: skip
    api.post(f"/api/visits/{far.id}/review", json={"decision": "rejected", "reason": "далеко"},
             headers=head)  # fmt: skip
    signed = api.post(f"{url}/sign", json={"month": "2026-10", "comment": "принято"},
                      headers=head)  # fmt: skip
    assert signed.status_code == 200, signed.text
    report = signed.json()
    assert report["state"] == "signed"
    assert (report["total_services"], report["total_minutes"]) == (2, 70)

    # a signed month's visits are final
    late = api.post(
        f"/api/visits/{fine.id}/review", json={"decision": "rejected", "reason": "x"}, headers=head
    )
    assert late.status_code == 409 and late.json()["code"] == "review.month_signed"

    # the export escapes formulas (the worker's name starts with "=")
    sheet = api.get(f"{url}/export.xlsx", params={"month": "2026-10"}, headers=head)
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.content))
    cells = [c.value for row in book.active.iter_rows() for c in row if c.value is not None]
    assert '\'=HYPERLINK("x")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    audit = db.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "worker_month_report")).all()  # fmt: skip
    assert sorted(audit) == ["worker_month_report.complete", "worker_month_report.sign"]


def test_a_worker_reaches_only_their_own_report(api: TestClient, db: Session) -> None:
    w = _world(db)
    other_login = factories.user(db, Role.WORKER)
    factories.worker(db, w["office"], other_login)
    other = factories.auth(other_login)
    url = f"/api/workers/{w['worker'].id}/monthly-report"
    assert api.get(url, params={"month": "2026-10"}, headers=other).status_code == 403
    assert api.post(f"{url}/sign", json={"month": "2026-10"}, headers=other).status_code == 403
    own = api.get("/api/me/monthly-report", params={"month": "2026-10"}, headers=other).json()
    assert own["worker_id"] != w["worker"].id and own["lines"] == []
    # a month the calendar cannot hold is refused, not a server error (found by schemathesis)
    for month in ("0000-01", "9999-12"):
        answer = api.get("/api/me/monthly-report", params={"month": month}, headers=other)
        assert answer.status_code == 422


def test_office_records_a_rating_taken_by_telephone(api: TestClient, db: Session) -> None:
    w = _world(db)
    head = factories.auth(w["head"])
    visit = w["visits"][0]
    made = api.post(f"/api/visits/{visit.id}/rating", json={"rating": 4, "comment": "хорошо"},
                    headers=head)  # fmt: skip
    assert made.status_code == 201 and made.json()["source"] == "office"
    bad = api.post(f"/api/visits/{visit.id}/rating", json={"rating": 7}, headers=head)
    assert bad.status_code == 422
    stored = db.scalars(select(ClientFeedback).where(ClientFeedback.visit_id == visit.id)).all()
    assert [(f.rating, f.source) for f in stored] == [(4, "office")]
    feedback = queries.feedback(db, filters=Filters((w["office"].id,), date.today(), date.today()))
    assert feedback and feedback[0]["ratings"] == 1 and feedback[0]["average"] == 4
