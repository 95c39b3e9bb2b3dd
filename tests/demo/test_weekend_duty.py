"""The demo office covers weekends: each office has workers on the weekend rota, some clients
are visited every day, and the duty workers' weekend minutes can hold those visits."""

from __future__ import annotations

from datetime import date, timedelta

from demo.data.region import build_region
from registry.models import ClientStatus

SATURDAY = date(2026, 12, 5)


def test_each_office_has_weekend_duty_for_its_daily_clients() -> None:
    region = build_region(seed=7, today=SATURDAY)
    for office in region.offices:
        duty = [w for w in office.workers if {6, 7} <= {s.weekday for s in w.shifts}]
        assert len(duty) >= 2
        for worker in duty:
            assert len(worker.shifts) == 5  # a forty-hour week: Wednesday to Sunday
        enrolled = [i for i, c in enumerate(office.clients) if c.status == ClientStatus.ENROLLED]
        for day in (SATURDAY, SATURDAY + timedelta(days=1)):
            minutes = [office.plans[i].minutes_on(day) for i in enrolled if i in office.plans]
            due = [m for m in minutes if m > 0]
            assert due, f"nobody is visited on {day}"
            # what is due fits the duty workers' shifts (8 h less lunch, a third for travel)
            assert sum(due) <= len(duty) * (9 * 60 - 45) * 2 / 3
