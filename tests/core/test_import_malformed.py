"""Malformed files and geometries answer 4xx naming the file or field, never 500, and a file
over the limits is refused while it is read (rows counted as they stream), not after."""

from __future__ import annotations

import io
import json
import time

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy.orm import Session

from core.models import Office, Role
from registry.importer import read as importer
from registry.importer.read import ImportFileError, ImportKind, ImportTooLarge, read_table
from tests import factories as f


@pytest.fixture
def office(db: Session) -> Office:
    return f.office(db)


@pytest.fixture
def headers(db: Session, office: Office) -> dict[str, str]:
    return f.auth(f.user(db, Role.SUPERVISOR, offices=[office]))


def upload(api: TestClient, office: Office, name: str, data: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return api.post(
        f"/api/offices/{office.id}/imports/clients",
        files={"file": (name, data)},
        headers=headers,
    )


CASES = [
    ("bad-byte.csv", "ФИО;Адрес\nИванов;ул. Мира".encode("cp1251") + b"\x98\n"),
    ("nul.csv", b"full_name,address\nA,\x00B\n"),
    ("list.geojson", b'{"type": "FeatureCollection", "features": {"a": 1}}'),
    ("text.geojson", b'{"type": "FeatureCollection", "features": "abc"}'),
    (
        "deep.geojson",
        b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ),
    (
        "deep-props.geojson",
        b'{"type": "FeatureCollection", "features": [{"properties": {"a": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}}]}",
    ),
    ("broken.xlsx", b"PK\x03\x04 not really a zip"),
]


@pytest.mark.parametrize(("name", "data"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_is_422_naming_the_file(
    api: TestClient, office: Office, headers: dict[str, str], name: str, data: bytes
) -> None:
    answer = upload(api, office, name, data, headers)
    assert answer.status_code == 422, answer.text
    field = "address" if name == "nul.csv" else "file"  # a NUL is a bad cell, named by row
    assert answer.json()["errors"][0]["field"] == field


def test_undecodable_byte_names_its_place() -> None:
    with pytest.raises(ImportFileError, match="byte 4"):
        read_table(ImportKind.CLIENTS, b"abc;\x98\x98;\n", "x.csv")


def test_features_that_are_not_objects_are_reported_as_rows() -> None:
    doc = (
        b'{"type": "FeatureCollection", "features": [5, {"properties": 7}, {"geometry": "x",'
        b' "properties": {"full_name": "A", "address": "B"}}]}'
    )
    rows = read_table(ImportKind.CLIENTS, doc, "x.geojson")
    assert [r.values.get("_geometry") for r in rows] == [
        "a Feature object is expected",
        "the feature's properties must be an object",
        "a Point geometry is expected",
    ]


def test_too_many_rows_stop_the_reading_early(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 1000)
    data = b"full_name;address\n" + b"a;b\n" * 2_000_000  # 8 MB, two million rows
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="more than 1000 rows"):
        read_table(ImportKind.CLIENTS, data, "x.csv")
    assert time.perf_counter() - started < 1.0  # stopped at the limit, not after reading all
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["full_name", "address"])
    for n in range(1500):
        sheet.append([f"a{n}", "b"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportFileError, match="more than 1000 rows"):
        read_table(ImportKind.CLIENTS, out.getvalue(), "x.xlsx")


def test_a_file_over_the_byte_limit_is_413(
    api: TestClient, office: Office, headers: dict[str, str]
) -> None:
    big = b"full_name;address\n" + b"a;b\n" * (importer.MAX_BYTES // 4 + 10)
    with pytest.raises(ImportTooLarge):
        read_table(ImportKind.CLIENTS, big, "x.csv")
    answer = upload(api, office, "big.csv", big, headers)
    assert answer.status_code == 413, answer.text
    assert answer.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    "coordinates",
    [
        [[[37.7, 55.7], [37.8, float("nan")], [37.8, 55.8], [37.7, 55.7]]],
        [[[float("nan"), float("nan")], [37.8, 55.7], [37.8, 55.8], [37.7, 55.7]]],
        [[[37.7, 55.7], [float("inf"), 55.7], [37.8, 55.8], [37.7, 55.7]]],
    ],
)
def test_a_service_area_with_nan_is_422(
    api: TestClient, db: Session, office: Office, coordinates: list
) -> None:
    admin = f.auth(f.user(db, Role.ADMIN))
    area = {"type": "Polygon", "coordinates": coordinates}
    body = json.dumps({"service_area": area})  # NaN, as Python and JavaScript write it
    answer = api.patch(
        f"/api/offices/{office.id}",
        content=body,
        headers=admin | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "service_area"
