"""Bulk import of clients, workers and care plans: every row checked first, bad rows named by
row and column, nothing written unless all are good (or only the good ones when asked)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Office, Role
from registry.importer import cli as import_cli
from registry.importer import read as importer
from registry.importer import rows as importer_rows
from registry.importer.read import ImportKind, read_table
from registry.models import CarePlan, Client, LocationStatus, Worker
from tests import factories as f

FIXTURES = Path(__file__).parent / "fixtures"


def _count(db: Session, model: type, office: Office) -> int:
    return db.scalar(select(func.count()).select_from(model).where(model.office_id == office.id))


def _upload(api: TestClient, office: Office, kind: str, name: str, headers, mode: str = "all"):  # type: ignore[no-untyped-def]
    with open(FIXTURES / name, "rb") as file:
        return api.post(
            f"/api/offices/{office.id}/imports/{kind}",
            params={"mode": mode},
            files={"file": (name, file)},
            headers=headers,
        )


@pytest.fixture
def office(db: Session) -> Office:
    return f.office(db)


@pytest.fixture
def headers(db: Session, office: Office) -> dict[str, str]:
    return f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))


def test_russian_headers_bom_and_semicolons_are_read() -> None:
    rows = read_table(ImportKind.CLIENTS, (FIXTURES / "clients_ru.csv").read_bytes(), "x.csv")
    assert [r.number for r in rows] == [2, 3, 4]
    client = importer_rows.client_from_row(rows[0])
    assert not isinstance(client, list)
    assert client.full_name == "Петрова Зинаида Михайловна"
    assert client.birth_date == date(1936, 2, 11)
    assert (client.location.lon, client.location.lat) == (37.7901, 55.7523)  # decimal commas
    assert client.categories == ["инвалид I группы", "одиноко проживающий"]


def test_a_bad_row_rejects_the_file_and_names_row_and_field(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    answer = _upload(api, office, "clients", "clients_bad_rows.csv", headers)
    assert answer.status_code == 422
    report = answer.json()
    assert report["ok"] is False and report["written"] == 0
    assert [(e["row"], e["field"]) for e in report["errors"]] == [
        (3, "birth_date"),  # 31.02.1937 does not exist
        (4, "lat"),  # 95.5 is off the globe
        (5, "workers_needed"),  # at most 2
    ]
    assert _count(db, Client, office) == 0


def test_bad_rows_carry_a_code_and_params_for_the_page_language(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    report = _upload(api, office, "clients", "clients_bad_rows.csv", headers, "check").json()
    assert [(e["row"], e["code"], e["params"]) for e in report["errors"]] == [
        (3, "import.not_a_date", {"value": "31.02.1937"}),
        (4, "pydantic.less_than_equal", {"le": 90}),
        (5, "pydantic.less_than_equal", {"le": 2}),
    ]
    assert report["errors"][0]["message"].startswith("'31.02.1937' is not a date")  # kept

    login = f.user(db, Role.WORKER, offices=[office]).username
    lines = f"full_name,login,workdays\nА,{login},1-5\nБ,{login},1-5\nВ,,9\n,,1-5\n"
    answer = api.post(
        f"/api/offices/{office.id}/imports/workers",
        params={"mode": "check"},
        files={"file": ("w.csv", lines.encode())},
        headers=headers,
    )
    assert [(e["row"], e["field"], e["code"], e["params"]) for e in answer.json()["errors"]] == [
        (3, "login", "import.login_taken", {"login": login, "row": 2}),
        (4, "workdays", "import.weekday_range", {}),
        (
            5,
            "full_name",
            "pydantic.too_short",
            {"field_type": "Value", "min_length": 1, "actual_length": 0},
        ),
    ]

    f.service(db, office, "C01", 30)
    f.service(db, office, "C02", 45)
    _upload(api, office, "clients", "clients_ru.csv", headers)
    report = _upload(api, office, "care_plans", "care_plans.csv", headers, "check").json()
    assert [(e["field"], e["code"]) for e in report["errors"]] == [
        ("service_code", "import.no_such_service"),
        ("recurrence", None),  # the recurrence's own English reason, no code
    ]


def test_good_rows_mode_writes_the_good_and_lists_the_skipped(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    answer = _upload(api, office, "clients", "clients_bad_rows.csv", headers, mode="good_rows")
    assert answer.status_code == 200
    report = answer.json()
    assert (report["written"], report["skipped_rows"]) == (1, [3, 4, 5])
    stored = db.scalars(select(Client).where(Client.office_id == office.id)).all()
    assert [c.full_name for c in stored] == ["Кузьмина Нина Фёдоровна"]
    assert stored[0].categories == ["инвалид II группы"]


def test_check_mode_writes_nothing(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    answer = _upload(api, office, "clients", "clients_ru.csv", headers, mode="check")
    assert (answer.status_code, answer.json()["ok"], answer.json()["written"]) == (200, True, 0)
    assert _count(db, Client, office) == 0


def test_clients_without_coordinates_wait_for_a_location(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    report = _upload(api, office, "clients", "clients_ru.csv", headers).json()
    assert (report["ok"], report["written"], report["needs_location"]) == (True, 3, 1)
    orlova = db.scalars(
        select(Client).where(Client.office_id == office.id, Client.full_name.like("Орлова%"))
    ).one()
    assert orlova.location is None
    assert orlova.location_status == LocationStatus.NEEDS_LOCATION
    assert orlova.status.value == "queued"

    again = _upload(api, office, "clients", "clients_ru.csv", headers)
    assert again.status_code == 422
    assert {e["message"].split(" ")[0] for e in again.json()["errors"]} == {"already"}
    assert _count(db, Client, office) == 3


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_import_with_date_cells(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    header = ["ФИО", "Дата рождения", "Адрес", "Долгота", "Широта", "Окно с", "Окно до"]
    good = ["Волкова Нина Сергеевна", date(1937, 3, 8), "Москва, ул. Плющева, д. 9", 37.78, 55.75]
    bad_window = [
        "Крылов Иван Петрович",
        date(1933, 1, 1),
        "Москва, ул. Плющева, д. 11",
        37.78,
        55.75,
        "14:00",
        "10:00",
    ]
    data = _xlsx([header, good, bad_window])
    answer = api.post(
        f"/api/offices/{office.id}/imports/clients",
        files={"file": ("clients.xlsx", data)},
        headers=headers,
    )
    assert answer.status_code == 422
    assert [(e["row"], e["field"]) for e in answer.json()["errors"]] == [(3, "window_start")]
    answer = api.post(
        f"/api/offices/{office.id}/imports/clients",
        files={"file": ("clients.xlsx", _xlsx([header, good]))},
        headers=headers,
    )
    assert answer.json()["written"] == 1
    stored = db.scalars(select(Client).where(Client.office_id == office.id)).one()
    assert stored.birth_date == date(1937, 3, 8)


def test_geojson_workers_with_shift_templates(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    report = _upload(api, office, "workers", "workers.geojson", headers).json()
    assert (report["ok"], report["written"]) == (True, 2)
    workers = db.scalars(
        select(Worker).where(Worker.office_id == office.id).order_by(Worker.id)
    ).all()
    assert [len(w.shifts) for w in workers] == [5, 4]
    assert workers[0].shifts[0].lunch_minutes == 45
    assert workers[0].skills == ["medical"]
    assert [w.travel_mode.value for w in workers] == ["walk", "transit"]
    assert workers[1].weekly_hours == 32


def test_geojson_clients_need_point_geometries(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    answer = _upload(api, office, "clients", "clients_bad_geometry.geojson", headers)
    assert [(e["row"], e["field"]) for e in answer.json()["errors"]] == [(2, "geometry")]
    report = _upload(api, office, "clients", "clients_bad_geometry.geojson", headers, "good_rows")
    assert (report.json()["written"], report.json()["needs_location"]) == (2, 1)


def test_care_plans_by_client_name_and_a_bad_line_spares_the_old_plan(
    api: TestClient, db: Session, office: Office, headers: dict[str, str]
) -> None:
    f.service(db, office, "C01", 30)
    f.service(db, office, "C02", 45)
    _upload(api, office, "clients", "clients_ru.csv", headers)
    answer = _upload(api, office, "care_plans", "care_plans.csv", headers)
    assert answer.status_code == 422
    assert [(e["row"], e["field"]) for e in answer.json()["errors"]] == [
        (5, "service_code"),
        (6, "recurrence"),
    ]
    office_plans = select(CarePlan).join(Client).where(Client.office_id == office.id)
    assert db.scalars(office_plans).all() == []

    report = _upload(api, office, "care_plans", "care_plans.csv", headers, "good_rows").json()
    # Sidorov's good row 4 is skipped with his bad row 5: half a plan never replaces a whole one.
    assert (report["written"], report["skipped_rows"]) == (1, [4, 5, 6])
    plan = db.scalars(office_plans).one()
    assert plan.number == "ИППСУ-2026/101"
    assert [(ln.service.code, ln.recurrence, ln.valid_to) for ln in plan.lines] == [
        ("C01", "weekdays:1,3,5", None),
        ("C02", "monthly:2", date(2026, 12, 31)),
    ]


def test_a_file_missing_a_column_is_refused(
    api: TestClient, office: Office, headers: dict[str, str]
) -> None:
    answer = api.post(
        f"/api/offices/{office.id}/imports/clients",
        files={"file": ("x.csv", "ФИО;Телефон\nИванов;1\n".encode())},
        headers=headers,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "file", "message": "missing column(s): address"}]


def test_import_needs_an_editor_of_the_office(api: TestClient, db: Session, office: Office) -> None:
    other = f.auth(f.user(db, Role.SUPERVISOR, offices=[f.office(db)]))
    manager = f.auth(f.user(db, Role.MANAGER, region_id=office.region_id))
    assert _upload(api, office, "clients", "clients_ru.csv", other).status_code == 404
    assert _upload(api, office, "clients", "clients_ru.csv", manager).status_code == 403
    assert _count(db, Client, office) == 0


def test_command_line_names_row_and_field_and_exits_2(
    db: Session, office: Office, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from contextlib import contextmanager

    import core.db

    @contextmanager
    def test_session():  # type: ignore[no-untyped-def]
        yield db  # the test's rolled-back session instead of a committed one

    monkeypatch.setattr(core.db, "session_scope", test_session)
    bad = FIXTURES / "clients_bad_rows.csv"
    code = import_cli.main(["--office", str(office.id), "--kind", "clients", str(bad)])
    assert code == 2
    assert "row 3, birth_date:" in capsys.readouterr().err
    assert _count(db, Client, office) == 0
    good = FIXTURES / "clients_ru.csv"
    assert import_cli.main(["--office", str(office.id), "--kind", "clients", str(good)]) == 0
    assert "3 rows, 3 written" in capsys.readouterr().out
    assert import_cli.main(["--office", "999999", "--kind", "clients", str(good)]) == 2


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"full_name": "Иванова М. П.", "workdays": "пн-пт"}, "workdays"),
        ({"full_name": "Иванова М. П.", "lon": "37.7"}, "lat"),
        ({"full_name": "Иванова М. П.", "travel_mode": "велосипед"}, "travel_mode"),
        ({"full_name": "Иванова М. П.", "shift_start": "18:00"}, "shift_start"),
        (
            {"full_name": "Иванова М. П.", "lunch_minutes": "30", "lunch_from": "12:00"},
            "shift_start",
        ),
        ({"full_name": "Иванова М. П.", "weekly_hours": "сорок"}, "weekly_hours"),
        ({"full_name": "", "weekly_hours": "40"}, "full_name"),
    ],
)
def test_worker_rows_name_the_column_at_fault(values: dict[str, str], column: str) -> None:
    errors = importer_rows.worker_from_row(importer.Row(7, values))
    assert isinstance(errors, list)
    assert [(e.row, e.field) for e in errors] == [(7, column)]


def test_worker_row_builds_the_weekly_template() -> None:
    row = importer.Row(2, {"full_name": "Орлов Олег", "workdays": "1-3,6", "shift_end": "16:30"})
    worker, login = importer_rows.worker_from_row(row)  # type: ignore[misc]
    assert [s.weekday for s in worker.shifts] == [1, 2, 3, 6]
    assert str(worker.shifts[0].end) == "16:30:00"
    assert login == ""
