"""`careroute plan-week`: a committed office's week planned from the command line, with the
progress bar and the table per worker and day; a bad period or rule stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from core.db import session_scope
from planner import week_cli
from planner.models import Plan, PlanWeek
from tests.planner.test_week_service import make_office

pytestmark = pytest.mark.db


def test_plan_week_prints_a_table_and_stores_drafts(
    migrated: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with session_scope() as session:
        o = make_office(session)
        office_id, names = o.office.id, [o.anna.full_name, o.duty.full_name]
    try:
        code = week_cli.main(
            ["--office", str(office_id), "--week", "2026-W45", "--time-limit", "4"]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "[" in err and "100.0 %" in err  # the progress bar reached its end
        lines = out.splitlines()
        assert "Mon 02" in lines[0] and "Sun 08" in lines[0]
        anna = next(line for line in lines if line.startswith(names[0]))
        duty = next(line for line in lines if line.startswith(names[1]))
        assert anna.split()[-2:] == ["-", "-"]  # no weekend for a Monday-Friday worker
        assert duty.split()[-1] != "-"
        with session_scope() as session:
            week = session.scalars(select(PlanWeek).where(PlanWeek.office_id == office_id)).one()
            count = session.scalar(
                select(func.count()).select_from(Plan).where(Plan.week_id == week.id)
            )
            assert count == 7
    finally:
        with session_scope() as session:
            session.execute(delete(Plan).where(Plan.office_id == office_id))
            session.execute(delete(PlanWeek).where(PlanWeek.office_id == office_id))


def test_plan_week_refuses_a_bad_month(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        week_cli.main(["--office", "1", "--month", "2026-13"])
    assert "not a month" in capsys.readouterr().err
