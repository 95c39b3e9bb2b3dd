"""The working calendar (planner.calendar): Russian holidays and moved days, office days off,
workers' absences and duty shifts."""

from datetime import date

import pytest

from planner.calendar import Availability, iso_week, month, russian_calendar


def test_russian_holidays_and_moved_days() -> None:
    cal = russian_calendar([2026, 2027])
    assert not cal.is_working(date(2026, 1, 7))  # Christmas
    assert not cal.is_working(date(2026, 11, 4))  # Unity Day, a Wednesday
    assert not cal.is_working(date(2026, 12, 31))  # moved from Sat 3 January
    assert not cal.is_working(date(2026, 12, 12))  # an ordinary Saturday
    assert cal.is_working(date(2026, 12, 30))
    assert "единства" in cal.why_off(date(2026, 11, 4))
    assert cal.why_off(date(2026, 12, 13)) == "weekend"
    assert len(cal.working_days(date(2026, 1, 1), date(2026, 1, 31))) == 15


def test_a_saturday_worked_by_decree_is_a_working_day() -> None:
    cal = russian_calendar([2024])
    saturday = date(2024, 12, 28)  # worked instead of Monday 30 December 2024
    assert cal.is_working(saturday)
    assert not cal.is_working(date(2024, 12, 30))
    assert Availability("w1").works_on(saturday, cal)  # a Monday-to-Friday worker too


def test_office_days_off_and_workers_days() -> None:
    cal = russian_calendar([2026]).with_days_off([date(2026, 12, 30)])
    assert not cal.is_working(date(2026, 12, 30))
    assert cal.why_off(date(2026, 12, 30)) == "office day off"
    rota = Availability(
        "w2",
        weekdays=frozenset({1, 2, 3}),
        absences=frozenset({date(2026, 12, 7)}),
        duty=frozenset({date(2026, 12, 12), date(2026, 12, 31)}),
    )
    assert not rota.works_on(date(2026, 12, 7), cal)  # absent on a Monday
    assert rota.works_on(date(2026, 12, 8), cal)
    assert not rota.works_on(date(2026, 12, 10), cal)  # Thursday: not their weekday
    assert rota.works_on(date(2026, 12, 12), cal)  # a Saturday duty shift
    assert rota.works_on(date(2026, 12, 31), cal)  # a holiday duty shift
    assert not Availability("w3").works_on(date(2026, 12, 31), cal)


def test_periods_by_name() -> None:
    assert iso_week("2026-W50") == (date(2026, 12, 7), date(2026, 12, 13))
    assert month("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert month("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    with pytest.raises(ValueError, match="not an ISO week"):
        iso_week("2026-50")
    with pytest.raises(ValueError, match="not a month"):
        month("2026-13")
