"""Geocoding addresses without coordinates: the cache answers an address once looked up, a
service failure leaves the client to be placed on the map, and the import uses the geocoder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import Settings
from registry.geocode import CachedGeocoder, GeocoderUnavailable, geocoder_from_settings, normalise
from registry.importer.read import ImportKind
from registry.importer.service import run_import
from registry.models import Client, GeocodeCache, LocationStatus
from tests import factories as f

FIXTURES = Path(__file__).parent / "fixtures"


class GazetteerGeocoder:
    """A geocoder over a fixed gazetteer: the extension point with a small implementation."""

    name = "gazetteer"

    def __init__(self, places: dict[str, tuple[float, float]], *, down: bool = False) -> None:
        self.places, self.down, self.calls = places, down, 0

    def geocode(self, address: str) -> tuple[float, float] | None:
        self.calls += 1
        if self.down:
            raise GeocoderUnavailable("connection refused")
        return self.places.get(address)


PEROVSKAYA = "Москва, ул. Перовская, д. 31, кв. 118"


def test_cache_answers_repeated_and_unknown_addresses(db: Session) -> None:
    inner = GazetteerGeocoder({PEROVSKAYA: (37.776, 55.750)})
    geocoder = CachedGeocoder(inner, db)
    assert geocoder.geocode(PEROVSKAYA) == (37.776, 55.750)
    assert geocoder.geocode("  москва,  ул. Перовская, д. 31, кв. 118 ") == (37.776, 55.750)
    assert geocoder.geocode("Москва, ул. Нигдейная, д. 1") is None
    assert geocoder.geocode("Москва, ул. Нигдейная, д. 1") is None
    assert inner.calls == 2  # each address asked once; "not found" is remembered too
    row = db.get(GeocodeCache, normalise(PEROVSKAYA))
    assert (row.lon, row.lat, row.provider) == (37.776, 55.750, "gazetteer")


def test_a_service_failure_is_not_cached(db: Session) -> None:
    down = GazetteerGeocoder({PEROVSKAYA: (37.776, 55.750)}, down=True)
    assert CachedGeocoder(down, db).geocode(PEROVSKAYA) is None
    assert db.get(GeocodeCache, normalise(PEROVSKAYA)) is None
    up = GazetteerGeocoder({PEROVSKAYA: (37.776, 55.750)})
    assert CachedGeocoder(up, db).geocode(PEROVSKAYA) == (37.776, 55.750)


def test_nonsense_coordinates_count_as_not_found(db: Session) -> None:
    geocoder = CachedGeocoder(GazetteerGeocoder({PEROVSKAYA: (555.0, 55.75)}), db)
    assert geocoder.geocode(PEROVSKAYA) is None


def test_import_geocodes_clients_without_coordinates(db: Session) -> None:
    office = f.office(db)
    geocoder = CachedGeocoder(GazetteerGeocoder({PEROVSKAYA: (37.776, 55.750)}), db)
    report = run_import(
        db,
        user=None,
        office_id=office.id,
        kind=ImportKind.CLIENTS,
        data=(FIXTURES / "clients_ru.csv").read_bytes(),
        filename="clients_ru.csv",
        geocoder=geocoder,
    )
    assert (report.written, report.geocoded, report.needs_location) == (3, 1, 0)
    orlova = db.scalars(
        select(Client).where(Client.office_id == office.id, Client.address == PEROVSKAYA)
    ).one()
    assert orlova.location_status == LocationStatus.GEOCODED
    assert orlova.location is not None


def test_geocoding_is_off_unless_configured(db: Session) -> None:
    assert geocoder_from_settings(db, Settings(geocoder="none")) is None
    nominatim = geocoder_from_settings(db, Settings(geocoder="nominatim"))
    assert isinstance(nominatim, CachedGeocoder) and nominatim.name == "nominatim"


def test_nominatim_geocoder_reads_lon_lat_from_a_nominatim_server() -> None:
    """A local server speaking Nominatim's search protocol: lat/lon come back in our order."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from registry.geocode import NominatimGeocoder

    asked: list[str] = []

    class Search(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            found = "Perovskaya" in self.path or "%D0%9F%D0%B5%D1%80" in self.path
            body = json.dumps(
                [{"lat": "55.7500", "lon": "37.7760", "display_name": "ул. Перовская, 31"}]
                if found
                else []
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Search)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        geocoder = NominatimGeocoder(
            f"http://127.0.0.1:{server.server_port}", "careroute-test", min_interval_s=0
        )
        assert geocoder.geocode(PEROVSKAYA) == (37.776, 55.75)
        assert geocoder.geocode("Nowhere street") is None
    finally:
        server.shutdown()
    assert asked[0].startswith("/search?")
