"""`careroute demo` on a private database: every part comes alive, and a second run adds
nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, text

from demo import cli as demo_cli
from tests.demo.conftest import demo_day

TABLES = ["region", "office", "worker", "client", "plan", "plan_stop", "ping", "visit",
          "visit_event", "client_feedback", "device", "track_day", "zone_set"]  # fmt: skip


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}


def test_today_is_planned_whatever_day_it_is() -> None:
    friday, saturday, monday = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 30)
    assert demo_cli.days_to_plan(friday) == [(friday, True), (monday, False)]
    # a weekend: the duty workers' routes are live
    assert demo_cli.days_to_plan(saturday) == [(saturday, True), (monday, False)]


def test_first_run_loads_region_history_summaries_and_plans(
    demo_loaded: demo_cli.DemoRun, private_engine: Engine
) -> None:
    run = demo_loaded
    assert run.summary.created and len(run.summary.office_ids) == 2
    assert run.summary.workers == 40 and run.summary.clients == 500
    assert run.history["days"] == 14  # one week, weekends too (the duty rota), two offices
    assert run.history["pings"] > 10_000 and run.history["visits"] > 100
    assert run.summaries_refreshed > 0  # the reports' per-worker-day figures exist
    found = counts(private_engine)
    assert found["track_day"] == run.summaries_refreshed
    # today and the next working day, for both offices, each a stored plan
    days = [(p.day, p.office) for p in run.plans]
    assert len(set(days)) == 4
    assert {p.day for p in run.plans} == {demo_day(), demo_cli.next_working_day(demo_day())}
    assert all(p.plan_id is not None and p.solved_now for p in run.plans)
    for plan in run.plans:
        if plan.day != demo_day():
            assert plan.status == "draft"  # the supervisor approves it on the Plan tab


def test_today_is_routed_and_approved(demo_loaded: demo_cli.DemoRun) -> None:
    today = [p for p in demo_loaded.plans if p.day == demo_day()]
    assert [p.status for p in today] == ["approved", "approved"]
    assert all(p.planned > 100 for p in today)


def test_a_day_without_routes_is_shown_not_hidden(demo_loaded: demo_cli.DemoRun) -> None:
    text_ = demo_cli.format_run(demo_loaded)
    for plan in demo_loaded.plans:
        line = next(x for x in text_.splitlines() if plan.office in x and f"{plan.day:%d.%m}" in x)
        assert (plan.planned == 0 and plan.unplanned > 0) == ("NO ROUTES" in line), line
        assert plan.planned > 0 or plan.status != "approved"  # nothing empty gets approved


def test_second_run_adds_nothing(demo_loaded: demo_cli.DemoRun, private_engine: Engine) -> None:
    before = counts(private_engine)
    again = demo_cli.run(today=demo_day(), weeks=1, time_limit_s=2.0)
    assert counts(private_engine) == before
    assert not again.summary.created
    assert not again.history.get("pings") and not again.history.get("visits")
    assert "History: already loaded" in demo_cli.format_run(again)
    assert not any(p.solved_now for p in again.plans)
    assert [p.plan_id for p in again.plans] == [p.plan_id for p in demo_loaded.plans]


def test_approving_is_idempotent_when_a_plan_has_routes(demo_loaded: demo_cli.DemoRun) -> None:
    routed = [p for p in demo_loaded.plans if p.planned > 0 and p.status == "draft"]
    if not routed:
        pytest.skip("no office-day was routed (see test_today_is_routed_and_approved)")
    plan = routed[0]
    first = demo_cli.plan_office_day(
        office_id=_office_id(plan), day=plan.day, approve=True, limit=1
    )
    second = demo_cli.plan_office_day(
        office_id=_office_id(plan), day=plan.day, approve=True, limit=1
    )
    assert first.status == second.status == "approved"
    assert first.plan_id == second.plan_id == plan.plan_id


def _office_id(plan: demo_cli.DayPlan) -> int:
    with demo_cli.open_session() as session:
        from core.models import Office

        office = session.query(Office).filter(Office.name == plan.office).one()
        return office.id


def test_main_prints_the_logins(demo_loaded: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = demo_cli.main(["--weeks", "1", "--today", demo_day().isoformat()])
    out = capsys.readouterr().out
    assert "already present" in out
    for login in ("admin", "manager", "supervisor1", "supervisor2"):
        assert f"  {login} " in out
    assert "password for all: 'demo'" in out
    assert out.count(" worker ") == 40
    routed_today = all(p.planned > 0 or not p.unplanned for p in demo_loaded.plans)
    assert code == (0 if routed_today else 1)


def test_history_figures_look_like_a_working_office(demo_loaded: demo_cli.DemoRun) -> None:
    """A week of history, measured on the stored rows as the reports define them."""
    f = demo_loaded.figures
    assert f is not None and f.office_days == 14 and f.visits > 900
    assert 3.0 <= f.late_pct <= 14.0  # a working office: 5-12 % arrive >15 min late
    assert 1.0 <= f.no_show_pct <= 4.5
    assert 0.92 <= f.on_site_ratio <= 1.03
    assert 2.0 <= f.untapped_departure_pct <= 9.0 and f.geofence_pct <= 4.5
    assert 4.0 <= f.unconfirmed_pct <= 14.0
    assert 4.0 <= f.visits_per_worker_day <= 9.0
    assert 4.0 <= f.on_site_h_per_worker_day <= 7.0
    assert 20.0 <= f.travel_min_per_worker_day <= 120.0
    assert f.unplanned_per_office_day <= 5.0 and f.unplanned_most <= 10  # plans hold the day
    assert max(f.ratings, key=lambda r: f.ratings[r]) == 5
    assert sum(n for r, n in f.ratings.items() if r <= 2) <= 0.06 * sum(f.ratings.values())
    shown = demo_cli.format_run(demo_loaded)
    assert "History figures:" in shown and f"{f.late_pct} % / {f.no_show_pct} %" in shown
