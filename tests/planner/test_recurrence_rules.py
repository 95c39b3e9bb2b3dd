"""Recurrence as offices say it (registry.recurrence): N times a week, working days, tolerance,
specific dates, movable lines; what each visit may move to; bad rules named."""

from datetime import date, timedelta

import pytest

from registry.recurrence import (
    Occurrence,
    label_en,
    label_ru,
    occurrences,
    occurs_on,
    parse_recurrence,
)

MONDAY = date(2026, 12, 7)
SUNDAY = MONDAY + timedelta(days=6)


@pytest.mark.parametrize(
    "text",
    [
        "weekly:2",
        "weekly:3;move",
        "every:3;work",
        "every:7;move;tol=2",
        "every:3;work;move;tol=1",
        "weekdays:2,5;move;tol=1",
        "monthly:2;move",
        "monthly:1;move;tol=3",
        "dates:2026-12-01,2026-12-15",
        "dates:2026-12-01,2026-12-15;move;tol=2",
    ],
)
def test_new_forms_round_trip(text: str) -> None:
    assert str(parse_recurrence(text)) == text


def test_options_in_any_order_are_written_canonically() -> None:
    assert str(parse_recurrence(" Every:7 ; TOL=1; move ")) == "every:7;move;tol=1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every:3;move;tol=2", r"tolerance of \+-2 days is wider than the interval allows"),
        ("every:3;move;tol=2", r"at most \+-1"),
        ("daily;move;tol=1", "wider than the interval"),
        ("weekdays:1,3,5;move;tol=1", r"visits 2 days apart would meet"),
        ("weekly:2;move;tol=2", "wider than the interval"),
        ("dates:2026-12-01,2026-12-03;move;tol=1", "visits 2 days apart"),
        ("every:7;tol=1", "tol=1 needs 'move'"),
        ("every:7;move", "'move' needs tol=K"),
        ("weekly:2;work", "'work' counts the days of every:N only"),
        ("weekly:8", "N must be 1..7"),
        ("weekly:0", "N must be 1..7"),
        ("every:7;often", "unknown option 'often'"),
        ("every:7;move;tol=-1", "tol must be 0 or more"),
        ("dates:2026-13-01", "'2026-13-01' is not a date"),
        ("dates:", "dates are missing"),
        ("yearly:1", "unknown recurrence"),
    ],
)
def test_bad_rules_name_the_fault(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_recurrence(text)


@pytest.mark.parametrize(
    "text", ["daily", "every:3", "every:360", "weekdays:1,3,5", "weekdays:7", "monthly:2"]
)
def test_stored_strings_keep_their_days(text: str) -> None:
    """occurrences() gives the same rule's days as occurs_on() for today's strings."""
    rec, anchor = parse_recurrence(text), date(2026, 1, 14)
    start, end = date(2026, 11, 1), date(2026, 12, 31)
    by_day = [
        start + timedelta(days=k)
        for k in range((end - start).days + 1)
        if occurs_on(rec, start + timedelta(days=k), anchor)
    ]
    found = occurrences(rec, anchor, start, end)
    assert [o.day for o in found] == by_day
    assert all(o.earliest == o.day == o.latest for o in found)  # fixed


def test_every_n_working_days_skips_weekends_and_holidays() -> None:
    holiday = MONDAY + timedelta(days=2)  # a Wednesday off

    def working(day: date) -> bool:
        return day.isoweekday() <= 5 and day != holiday

    rec = parse_recurrence("every:2;work")
    days = [o.day for o in occurrences(rec, MONDAY, MONDAY, MONDAY + timedelta(days=13), working)]
    # working days: Mon 7, Tue 8, Thu 10, Fri 11, Mon 14, Tue 15, Wed 16, ...: every second one
    assert days == [date(2026, 12, d) for d in (7, 10, 14, 16, 18)]
    assert all(working(d) for d in days)
    assert occurs_on(rec, date(2026, 12, 9), MONDAY)  # without the holiday: Mon, Wed, Fri
    assert not occurs_on(rec, date(2026, 12, 8), MONDAY)


def test_tolerance_in_working_days_steps_over_the_weekend() -> None:
    rec = parse_recurrence("every:5;work;move;tol=1")
    [first, second] = occurrences(rec, MONDAY, MONDAY, MONDAY + timedelta(days=7))
    assert first == Occurrence(MONDAY, MONDAY - timedelta(days=3), MONDAY + timedelta(days=1))
    assert second.day == MONDAY + timedelta(days=7)
    assert second.earliest == MONDAY + timedelta(days=4)  # Friday before


def test_calendar_days_tolerance() -> None:
    rec = parse_recurrence("every:7;move;tol=2")
    [occ] = occurrences(rec, MONDAY - timedelta(days=14), MONDAY, SUNDAY)
    assert occ == Occurrence(MONDAY, MONDAY - timedelta(days=2), MONDAY + timedelta(days=2))


def test_weekly_spreads_over_the_working_days_and_moves_in_its_part() -> None:
    anchors = [date(2026, 1, 1) + timedelta(days=k) for k in range(40)]
    fixed = parse_recurrence("weekly:2")
    movable = parse_recurrence("weekly:2;move")
    spread: set[date] = set()
    for anchor in anchors:
        days = occurrences(fixed, anchor, MONDAY, SUNDAY)
        assert len(days) == 2 and all(o.day.isoweekday() <= 5 for o in days)
        assert (days[1].day - days[0].day).days >= 2
        spread |= {o.day for o in days}
        first, second = occurrences(movable, anchor, MONDAY, SUNDAY)
        assert (first.day, second.day) == (days[0].day, days[1].day)
        assert first.earliest <= first.day <= first.latest < second.earliest
        assert second.latest <= MONDAY + timedelta(days=4)
    assert len(spread) == 5  # every working day carries some


def test_weekly_counts_the_calendars_working_days() -> None:
    holidays = {MONDAY + timedelta(days=k) for k in (1, 2)}

    def working(day: date) -> bool:
        return day.isoweekday() <= 5 and day not in holidays

    days = occurrences(parse_recurrence("weekly:3"), MONDAY, MONDAY, SUNDAY, working)
    assert [o.day for o in days] == [MONDAY, MONDAY + timedelta(days=3), MONDAY + timedelta(4)]
    with pytest.raises(ValueError, match="weekly:4: the week from 2026-12-07 has 3 working"):
        occurrences(parse_recurrence("weekly:4"), MONDAY, MONDAY, SUNDAY, working)


def test_monthly_that_the_month_cannot_hold_is_refused() -> None:
    rec = parse_recurrence("monthly:20")
    assert len(occurrences(rec, date(2026, 1, 1), date(2026, 12, 1), date(2026, 12, 31))) == 20
    with pytest.raises(ValueError, match="the month from 2026-02-01 has 20 working days"):
        occurrences(
            parse_recurrence("monthly:21"), date(2026, 1, 1), date(2026, 2, 1), date(2026, 2, 28)
        )


def test_monthly_movable_parts_cover_the_month() -> None:
    rec = parse_recurrence("monthly:2;move")
    first, second = occurrences(rec, date(2026, 1, 5), date(2026, 12, 1), date(2026, 12, 31))
    assert first.earliest == date(2026, 12, 1)
    assert first.latest < second.earliest
    assert second.latest == date(2026, 12, 31)


def test_specific_dates_from_the_anchor_on() -> None:
    rec = parse_recurrence("dates:2026-12-01,2026-12-15,2027-01-10;move;tol=3")
    found = occurrences(rec, date(2026, 12, 5), date(2026, 12, 1), date(2026, 12, 31))
    assert found == [Occurrence(date(2026, 12, 15), date(2026, 12, 12), date(2026, 12, 18))]
    assert occurs_on(rec, date(2026, 12, 15), date(2026, 12, 5))
    assert not occurs_on(rec, date(2026, 12, 1), date(2026, 12, 5))


@pytest.mark.parametrize(
    ("text", "ru", "en"),
    [
        ("weekly:1", "раз в неделю", "once a week"),
        ("weekly:2", "2 раза в неделю", "twice a week"),
        (
            "weekly:3;move",
            "3 раза в неделю, в любой день своей части недели",
            "3 times a week, any day in its part of the week",
        ),
        ("every:3;work", "каждые 3 рабочих дня", "every 3 working days"),
        (
            "every:5;work;move;tol=1",
            "каждые 5 рабочих дней ±1 рабочий день",
            "every 5 working days ±1 working day",
        ),
        ("every:7;move;tol=2", "каждые 7 дней ±2 дня", "every 7 days ±2 days"),
        (
            "monthly:2;move",
            "2 раза в месяц, в любой день своей части месяца",
            "twice a month, any day in its part of the month",
        ),
        ("dates:2026-12-01,2026-12-15", "01.12.2026, 15.12.2026", "2026-12-01, 2026-12-15"),
    ],
)
def test_labels_in_words(text: str, ru: str, en: str) -> None:
    rec = parse_recurrence(text)
    assert (label_ru(rec), label_en(rec)) == (ru, en)
