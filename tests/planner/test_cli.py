"""`careroute plan`: reading the input files, building the day's problem, the whole run.

Input checking and problem building need no solver; the end-to-end runs use the real
`planner.solver` and are skipped only while it cannot be imported.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from planner.cli import build_parser, day_off_note, load_problem, main
from planner.io import read_clients, read_services, read_workers
from planner.problem import Break, TravelMode

FIXTURES = Path(__file__).parent / "fixtures"
MONDAY = "2025-03-03"
needs_solver = pytest.mark.skipif(
    importlib.util.find_spec("planner.solver") is None, reason="planner.solver not there yet"
)


def _args(*extra: str, clients: str = "clients.csv", workers: str = "workers.csv") -> list[str]:
    return [
        "--clients", str(FIXTURES / clients), "--workers", str(FIXTURES / workers),
        "--services", str(FIXTURES / "services.csv"), "--date", MONDAY, *extra,
    ]  # fmt: skip


def _copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- reading files ----------------------------------------------------------------------------


def test_workers_csv_and_json_read_alike() -> None:
    from_csv = read_workers(FIXTURES / "workers.csv")
    from_json = read_workers(FIXTURES / "workers.json")
    assert from_json == from_csv[: len(from_json)]
    w1, _, w3, w4 = from_csv
    assert (w1.shift_start, w1.shift_end, w1.skills) == (8 * 3600, 17 * 3600, {"medical"})
    # lunch 12:30-14:00 for 45 min: may start 12:30..13:15
    assert w1.lunch == Break(earliest=45_000, latest=47_700, duration=2700)
    assert w3.lunch == Break(13 * 3600, 13 * 3600, 3600)  # no lunch_min: the whole window
    assert w3.end != w3.start and w3.mode is TravelMode.TRANSIT and w3.max_hours == 7.5
    assert w4.mode is TravelMode.CAR and w4.end == w4.start


def test_services_and_clients() -> None:
    services = read_services(FIXTURES / "services.csv")
    assert services["2.1"].skill == "medical" and services["1.4"].minutes == 45
    clients = read_clients(FIXTURES / "clients.csv")
    assert len(clients) == 20 and clients[0].services == ("1.2", "1.4", "1.5", "2.1")
    assert clients[2].window_start == 10 * 3600 and clients[2].window_end == 12 * 3600
    assert clients[8].mandatory and clients[8].priority == 3
    assert clients[0].source == "clients.csv row 2"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("workers.csv", "w3,Белова Светлана Игоревна,09:00", "w3,Белова Светлана Игоревна,25:00",
         "workers.csv row 4, field shift_start: '25:00' is not a time"),
        ("workers.csv", "17:00,12:30", "07:00,12:30",
         "workers.csv row 2, field shift_end: '07:00' is not after shift_start"),
        ("workers.csv", ",transit,", ",bicycle,",
         "workers.csv row 4, field mode: 'bicycle' is not one of walk, transit, car"),
        ("workers.csv", "w2,", "w1,", "workers.csv row 3, field id: 'w1' is used twice"),
        ("clients.csv", "37.78281,55.7552", "37.78281,95.7552",
         "clients.csv row 2, field lat: '95.7552' must be between -90 and 90"),
        ("clients.csv", "37.78281,55.7552", "37.78281,",
         "clients.csv row 2, field lat: is required"),
        ("clients.csv", "1.2;1.4;1.5;2.1", "1.2;9.9",
         "clients.csv row 2, field services: '9.9' is not in the service catalogue"),
        ("clients.csv", "1.2;1.4;1.5;2.1,,,1,no", "1.2,,,1,maybe",
         "clients.csv row 2, field mandatory: 'maybe' is not yes/no"),
        ("clients.json", '"recurrence": "daily"', '"recurrence": "every:0"',
         "clients.json row 1 care_plan row 1, field recurrence: every:0: N must be 1..366"),
    ],
)  # fmt: skip
def test_bad_input_names_file_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], file: str, old: str, new: str, message: str
) -> None:
    path = _copy_with(tmp_path, file, old, new)
    for other in ("clients.csv", "clients.json", "workers.csv", "services.csv"):
        if other != file:
            shutil.copy(FIXTURES / other, tmp_path / other)
    clients = "clients.json" if file == "clients.json" else "clients.csv"
    argv = [
        "--clients", str(tmp_path / clients), "--workers", str(tmp_path / "workers.csv"),
        "--services", str(tmp_path / "services.csv"), "--date", MONDAY,
    ]  # fmt: skip
    assert path.exists()
    assert main(argv) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert message in err


def test_a_holiday_or_weekend_is_named_before_planning() -> None:
    assert day_off_note(date(2025, 3, 3)) == ""  # a Monday
    assert day_off_note(date(2027, 1, 1)) == (
        "2027-01-01 — нерабочий день (Новогодние каникулы): файл работников — дежурные этого дня"
    )
    assert "(New Year Holidays)" in day_off_note(date(2027, 1, 1), "en")
    assert "(weekend)" in day_off_note(date(2027, 1, 9), "en")
    assert day_off_note(date(2027, 2, 20)) == ""  # a Saturday worked by decree


def test_missing_file_and_provider_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(clients="nope.csv")) == 2
    assert "nope.csv: file not found" in capsys.readouterr().err
    assert main(_args("--travel", "osrm")) == 2
    assert "--travel osrm needs --pbf" in capsys.readouterr().err
    assert main(_args("--travel", "osrm-http", "--osrm-url", "bike=http://x")) == 2
    assert "use URL or MODE=URL" in capsys.readouterr().err


def test_help_documents_the_columns(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for column in ("shift_start", "lunch_min", "start_lon", "duration_min", "recurrence"):
        assert column in text


# --- building the problem -------------------------------------------------------------------


def test_visit_list_becomes_the_days_problem() -> None:
    problem = load_problem(build_parser().parse_args(_args()))
    assert len(problem.workers) == 4
    assert len(problem.visits) == 19  # 20 clients, one suspended
    c01 = problem.visits[0]
    assert c01.id == f"c01@{MONDAY}" and c01.client_name == "Иванова Мария Петровна"
    assert c01.duration == (30 + 45 + 20 + 10) * 60  # 1.2 + 1.4 + 1.5 + 2.1
    assert c01.required_skills == {"medical"}  # from service 2.1
    c12 = next(v for v in problem.visits if v.client_id == "c12")
    assert c12.duration == 40 * 60 and c12.services == ()
    # office start shared by three workers: one location; every index points into locations
    assert len(problem.locations) == 2 + 19
    assert {w.start_location for w in problem.workers} == {0, 1}
    assert sorted(v.location for v in problem.visits) == list(range(2, 21))


def test_care_plans_expand_for_the_date() -> None:
    argv = _args("--care-plans", str(FIXTURES / "care_plans.csv"))
    monday = load_problem(build_parser().parse_args(argv))
    by_client = {v.client_id: v for v in monday.visits}
    # c01 on a Monday: shopping (Mon/Wed/Fri) + pressure (every 7 days from Monday 3 March)
    assert by_client["c01"].services == ("1.1", "2.1")
    assert "c02" not in by_client  # cleaning on Tue/Thu only
    assert by_client["c03"].services == ("1.2",)
    assert by_client["c04"].services == ("1.1", "1.5")  # no care plan: its listed services
    tuesday = [*argv, "--date", "2025-03-04"]  # the last --date wins
    tuesday_visits = {v.client_id for v in load_problem(build_parser().parse_args(tuesday)).visits}
    assert "c02" in tuesday_visits and "c01" not in tuesday_visits


def test_json_clients_with_inline_care_plans() -> None:
    args = _args(clients="clients.json", workers="workers.json")
    problem = load_problem(build_parser().parse_args(args))
    assert 0 < len(problem.visits) < 12
    assert all(v.id.endswith(MONDAY) and v.services for v in problem.visits)


# --- the whole run with the real solver ---------------------------------------------------


@needs_solver
def test_plan_end_to_end_writes_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(_args("--time-limit", "2", "--threads", "1", "--quiet", "--out", str(out)))
    assert code == 0
    printed = capsys.readouterr().out
    assert "План маршрутов" in printed and "Сидорова Елена Викторовна" in printed
    data = json.loads((out / "plan.json").read_text())
    planned = [s["visit_id"] for r in data["routes"] for s in r["stops"]]
    unplanned = [u["visit_id"] for u in data["unplanned"]]
    assert len(planned) == len(set(planned))
    assert sorted(planned + unplanned) == sorted(
        f"c{i:02d}@{MONDAY}" for i in range(1, 21) if i != 16
    )
    assert len(planned) >= 15  # four workers, a day, Perovo: most visits fit
    for route in data["routes"]:
        for stop in route["stops"]:
            assert stop["start"] >= stop["arrival"] and stop["end"] > stop["start"]
    geo = json.loads((out / "plan.geojson").read_text())
    assert sum(f["properties"]["kind"] == "stop" for f in geo["features"]) == len(planned)
    assert "<svg" in (out / "plan.html").read_text()


@needs_solver
def test_plan_in_english_from_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    options = ("--time-limit", "1", "--threads", "1", "--lang", "en")  # with the progress bar
    args = _args(*options, "--out", str(tmp_path), clients="clients.json", workers="workers.json")
    assert main(args) == 0
    assert "Route plan" in capsys.readouterr().out
    assert '<html lang="en">' in (tmp_path / "plan.html").read_text()
    assert date.fromisoformat(json.loads((tmp_path / "plan.json").read_text())["date"])
