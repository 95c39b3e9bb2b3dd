"""Recurrence strings (registry.recurrence) and care-plan expansion (planner.recurrence)."""

from datetime import date, timedelta
from itertools import pairwise

import pytest

from planner.problem import Location
from planner.recurrence import (
    CareClient,
    CarePlanLine,
    visits_for_day,
    visits_for_period,
)
from registry.recurrence import (
    Recurrence,
    RecurrenceKind,
    label_en,
    label_ru,
    monthly_days,
    monthly_phase,
    occurs_on,
    parse_recurrence,
)

MONDAY = date(2025, 3, 3)


@pytest.mark.parametrize(
    "text", ["daily", "every:3", "every:360", "weekdays:1,3,5", "weekdays:7", "monthly:2"]
)
def test_parse_and_format_round_trip(text: str) -> None:
    assert str(parse_recurrence(text)) == text


def test_parse_normalises_case_spaces_and_weekday_order() -> None:
    rec = parse_recurrence(" Weekdays:5, 1,3,1 ")
    assert rec == Recurrence(RecurrenceKind.WEEKDAYS, weekdays=(1, 3, 5))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every:0", "every:0: N must be 1..366"),
        ("every:367", "N must be 1..366"),
        ("every:x", "N must be a whole number, not 'x'"),
        ("every", "N is missing"),
        ("weekdays:8", "weekdays:8: weekday must be 1..7"),
        ("weekdays:0,2", "weekday must be 1..7"),
        ("weekdays:", "weekdays are missing"),
        ("monthly:0", "N must be 1..23"),
        ("daily:2", "'daily' takes no argument"),
        ("fortnightly", "unknown recurrence"),
    ],
)
def test_parse_errors_name_the_fault(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_recurrence(text)


def test_every_n_days_counts_from_the_anchor() -> None:
    rec = parse_recurrence("every:3")
    anchor = date(2025, 3, 5)
    due = [d for d in _days(date(2025, 3, 1), 12) if occurs_on(rec, d, anchor)]
    assert due == [date(2025, 3, 5), date(2025, 3, 8), date(2025, 3, 11)]


def test_weekdays_are_iso() -> None:
    rec = parse_recurrence("weekdays:1,3,5")
    due = [d.isoweekday() for d in _days(MONDAY, 14) if occurs_on(rec, d, MONDAY)]
    assert due == [1, 3, 5, 1, 3, 5]


def test_nothing_is_due_before_the_anchor() -> None:
    assert not occurs_on(parse_recurrence("daily"), MONDAY - timedelta(days=1), MONDAY)
    assert occurs_on(parse_recurrence("daily"), MONDAY, MONDAY)


def test_monthly_spreads_over_working_days() -> None:
    # March 2025: 21 working days (Mon-Fri); twice a month -> one in each half, on working days
    days = monthly_days(2025, 3, 2)
    assert len(days) == 2
    assert all(d.isoweekday() <= 5 for d in days)
    assert days[0].day <= 15 < days[1].day
    rec = parse_recurrence("monthly:2")
    anchor = date(2025, 1, 1)
    march = [d for d in _days(date(2025, 3, 1), 31) if occurs_on(rec, d, anchor)]
    assert march == monthly_days(2025, 3, 2, monthly_phase(anchor))
    assert len(march) == 2 and march[0].day <= 15 < march[1].day


def test_monthly_lines_of_different_clients_fall_on_different_days() -> None:
    rec = parse_recurrence("monthly:1")
    anchors = [date(2025, 1, 1) + timedelta(days=n) for n in range(30)]
    due = {next(d for d in _days(date(2025, 3, 1), 31) if occurs_on(rec, d, a)) for a in anchors}
    assert len(due) >= 10  # spread over the month, not piled onto one day


def test_monthly_four_times_is_roughly_weekly() -> None:
    days = monthly_days(2025, 3, 4)
    gaps = [(b - a).days for a, b in pairwise(days)]
    assert len(days) == 4 and all(5 <= g <= 9 for g in gaps)


@pytest.mark.parametrize(
    ("text", "ru", "en"),
    [
        ("daily", "ежедневно", "daily"),
        ("every:3", "каждые 3 дня", "every 3 days"),
        ("every:7", "каждые 7 дней", "every 7 days"),
        ("every:21", "каждый 21 день", "every 21 days"),
        ("weekdays:1,3,5", "пн, ср, пт", "Mon, Wed, Fri"),
        ("monthly:1", "раз в месяц", "once a month"),
        ("monthly:2", "2 раза в месяц", "twice a month"),
        ("monthly:5", "5 раз в месяц", "5 times a month"),
    ],
)
def test_labels(text: str, ru: str, en: str) -> None:
    rec = parse_recurrence(text)
    assert label_ru(rec) == ru
    assert label_en(rec) == en


# --- care plans -> visits ---------------------------------------------------------------


def _line(
    code: str,
    minutes: int,
    rec: str,
    valid_from: date = date(2025, 1, 1),
    valid_to: date | None = None,
    required_skill: str | None = None,
) -> CarePlanLine:
    return CarePlanLine(
        service_code=code,
        service_name=code,
        standard_minutes=minutes,
        recurrence=parse_recurrence(rec),
        valid_from=valid_from,
        valid_to=valid_to,
        required_skill=required_skill,
    )


def _client(
    cid: str, *lines: CarePlanLine, status: str = "enrolled", skills: frozenset[str] = frozenset()
) -> CareClient:
    return CareClient(
        id=cid,
        name=f"Клиент {cid}",
        location=Location(37.78, 55.75),
        status=status,
        required_skills=skills,
        lines=lines,
    )


def test_one_visit_per_client_with_due_services_summed() -> None:
    client = _client(
        "c1",
        _line("1.1", 30, "weekdays:1,3,5"),  # shopping
        _line("1.2", 20, "daily"),  # cooking
        _line("2.1", 15, "weekdays:2", required_skill="medical"),  # injections
        skills=frozenset({"female"}),
    )
    monday, tuesday = (
        visits_for_day([client], MONDAY),
        visits_for_day([client], MONDAY + timedelta(1)),
    )
    assert [v.minutes for v in monday] == [50]
    assert [line.service_code for line in monday[0].services] == ["1.1", "1.2"]
    assert monday[0].required_skills == {"female"}
    assert tuesday[0].minutes == 35
    assert tuesday[0].required_skills == {"female", "medical"}
    visit = tuesday[0].to_visit(location_index=4)
    assert (visit.duration, visit.location, visit.services) == (35 * 60, 4, ("1.2", "2.1"))
    assert visit.id == "c1@2025-03-04"


def test_not_enrolled_clients_and_lines_out_of_validity_are_skipped() -> None:
    suspended = _client("c2", _line("1.2", 20, "daily"), status="suspended")
    expired = _client("c3", _line("1.2", 20, "daily", valid_to=MONDAY - timedelta(days=1)))
    future = _client("c4", _line("1.2", 20, "daily", valid_from=MONDAY + timedelta(days=1)))
    assert visits_for_day([suspended, expired, future], MONDAY) == []


def test_period_expansion_counts_visits() -> None:
    clients = [
        _client("a", _line("1.1", 30, "weekdays:1,3,5")),
        _client("b", _line("1.1", 30, "every:7", valid_from=MONDAY)),
        _client("c", _line("1.1", 30, "monthly:2")),
    ]
    week = visits_for_period(clients, MONDAY, MONDAY + timedelta(days=6))
    assert sorted(v.client.id for v in week) == ["a", "a", "a", "b"]
    march = visits_for_period(clients, date(2025, 3, 1), date(2025, 3, 31))
    counts = {cid: sum(v.client.id == cid for v in march) for cid in "abc"}
    assert counts == {"a": 13, "b": 5, "c": 2}
    assert [v.day for v in march] == sorted(v.day for v in march)
    with pytest.raises(ValueError, match="before it starts"):
        visits_for_period(clients, MONDAY, MONDAY - timedelta(days=1))


def test_to_visit_needs_a_location_index() -> None:
    [visit] = visits_for_day([_client("c1", _line("1.2", 20, "daily"))], MONDAY)
    with pytest.raises(ValueError, match="no location index"):
        visit.to_visit()


def _days(start: date, n: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]
