"""Faults on real services while phones send: Redis stopped and started, the PostgreSQL
cluster really stopped (`pg_ctl stop`) and started, the server process killed (SIGKILL) in
the middle of a batch. The phones keep what was not acknowledged and resend it, as the phone
page's outbox does. After each fault every ping is stored exactly once and live positions
resume by themselves.

The shared services are never touched: the test runs its own PostgreSQL cluster (initdb into
a temporary directory, as the postgres user, on a free port), its own redis-server and its
own server process, and stops them at the end. The figures (pings sent, stored, lost,
duplicated, requests refused during the faults) are printed and asserted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson
import pytest
import redis
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from tests.conftest import alembic_config
from tests.gateway.conftest import make_world
from tests.gateway.test_live import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PINGS_PER_PHONE = 900
BATCH = 25

pytestmark = pytest.mark.slow


def as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


class PrivateCluster:
    """A PostgreSQL cluster of the test's own, really stopped and started."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="careroute-fault-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/careroute_fault"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
            ),
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        subprocess.run(
            as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
                "-w", "-t", "60", "start", "-o",
                f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=50",
            ),
            check=True, capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"),
            capture_output=True,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class Server:
    """The app in a process of its own, on the private database and Redis."""

    def __init__(self, database_url: str, redis_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "LOG_LEVEL": "ERROR", "MAINTENANCE_INTERVAL_S": "0", "PYTHONPATH": str(ROOT),
        }  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(self.port)],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()  # SIGKILL: no shutdown, no cleanup
            self.process.wait(timeout=10)
            self.process = None


@dataclass
class Phone:
    token: str
    worker_id: int
    outbox: list[dict] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)


@dataclass
class Tally:
    requests: int = 0
    refused: int = 0  # answers other than 200, and requests with no answer
    accepted: int = 0
    duplicate: int = 0


def make_pings(n: int) -> list[dict]:
    start = datetime.now(UTC) - timedelta(hours=3)
    return [
        {
            "uuid": str(uuid.uuid4()),
            "t": (start + timedelta(seconds=5 * i)).isoformat(),
            "lat": 55.75 + i * 1e-5,
            "lon": 37.78 + i * 1e-5,
            "accuracy": 8,
        }
        for i in range(n)
    ]


def send(
    client: httpx.Client,
    phone: Phone,
    tally: Tally,
    size: int = BATCH,
    midway: Callable[[], None] | None = None,
) -> None:
    """One outbox flush step: the oldest `size` pings; acknowledged ones leave the outbox.
    `midway` runs when half of the request's body is on the wire (e.g. kills the server)."""
    batch = phone.outbox[:size]
    if not batch:
        return
    tally.requests += 1
    body = orjson.dumps({"pings": batch})

    def halves() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        if midway is not None:
            midway()
        yield body[len(body) // 2 :]

    try:
        answer = client.post(
            "/api/mobile/sync",
            content=halves() if midway is not None else body,
            headers={"Authorization": f"Device {phone.token}", "Content-Type": "application/json"},
        )
    except httpx.HTTPError:
        tally.refused += 1
        return
    if answer.status_code != 200:
        tally.refused += 1
        return
    verdicts = answer.json()["pings"]
    assert len(verdicts) == len(batch)
    done = set()
    for item, verdict in zip(batch, verdicts, strict=True):
        assert verdict["status"] in ("accepted", "duplicate"), verdict
        tally.accepted += verdict["status"] == "accepted"
        tally.duplicate += verdict["status"] == "duplicate"
        done.add(item["uuid"])
    phone.outbox = [p for p in phone.outbox if p["uuid"] not in done]


def rounds(client: httpx.Client, phones: list[Phone], tally: Tally, n: int) -> None:
    for _ in range(n):
        for phone in phones:
            send(client, phone, tally)


@pytest.fixture
def services() -> Iterator[tuple[PrivateCluster, PrivateRedis]]:
    cluster = PrivateCluster()
    redis_dir = Path(tempfile.mkdtemp(prefix="careroute-fault-redis-"))
    private_redis = PrivateRedis(redis_dir)
    try:
        cluster.start()
        admin = create_engine(
            cluster.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE careroute_fault"))
        admin.dispose()
        setup = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with setup.connect() as conn:
            conn.execute(text("CREATE EXTENSION postgis"))
        setup.dispose()
        config = alembic_config()
        config.attributes["url"] = cluster.url
        command.upgrade(config, "head")
        private_redis.start()
        yield cluster, private_redis
    finally:
        private_redis.stop()
        shutil.rmtree(redis_dir, ignore_errors=True)
        cluster.remove()


def test_phones_lose_and_duplicate_nothing_through_redis_database_and_server_faults(
    services: tuple[PrivateCluster, PrivateRedis],
) -> None:
    cluster, private_redis = services
    engine = create_engine(cluster.url, pool_pre_ping=True)
    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
    phones = [Phone(world.token, world.worker.id), Phone(world.other_token, world.other_worker.id)]
    for phone in phones:
        phone.sent = make_pings(PINGS_PER_PHONE)
        phone.outbox = list(phone.sent)
    redis_url = f"redis://127.0.0.1:{private_redis.port}/0"
    server = Server(cluster.url, redis_url)
    server.start()
    tally = Tally()
    faults: dict[str, int] = {}
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            rounds(client, phones, tally, 4)

            # 1. Redis stopped and started while the phones send
            private_redis.stop()
            before = tally.refused
            rounds(client, phones, tally, 4)
            private_redis.start()
            rounds(client, phones, tally, 4)
            faults["redis"] = tally.refused - before

            # 2. the PostgreSQL cluster stopped (not a closed port) and started
            cluster.stop()
            before = tally.refused
            rounds(client, phones, tally, 3)
            cluster.start()
            rounds(client, phones, tally, 4)
            faults["postgresql"] = tally.refused - before

        # 3. the server killed in the middle of a batch, then started again
        before = tally.refused
        big = Phone(phones[0].token, phones[0].worker_id, outbox=phones[0].outbox)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            # the process dies with half of a 400-ping batch received: on every machine, fast
            # or slow, the kill lands inside the request (a timer could come after it)
            send(client, big, tally, size=400, midway=server.kill)
        server.start()
        faults["server_kill"] = tally.refused - before
        with httpx.Client(base_url=server.url, timeout=10) as client:
            deadline = time.monotonic() + 120
            while any(p.outbox for p in phones) and time.monotonic() < deadline:
                rounds(client, phones, tally, 1)
    finally:
        server.kill()

    sent = sum(len(p.sent) for p in phones)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(text("SELECT worker_id, count(*) FROM ping GROUP BY worker_id")).all()
        )
        distinct = conn.execute(text("SELECT count(DISTINCT (device_id, uuid)) FROM ping")).scalar()
        stored_uuids = {str(u) for u in conn.scalars(text("SELECT uuid FROM ping"))}
    engine.dispose()
    stored = sum(rows.values())
    lost = len({p["uuid"] for ph in phones for p in ph.sent} - stored_uuids)
    duplicated = stored - (distinct or 0)
    print(
        f"\nfault test: pings sent {sent}, stored {stored}, lost {lost}, duplicated "
        f"{duplicated}; requests {tally.requests}, not acknowledged {tally.refused} "
        f"(by fault: {faults}), answers accepted {tally.accepted}, duplicate {tally.duplicate}"
    )
    assert all(not p.outbox for p in phones), "the phones could not deliver everything"
    assert lost == 0 and duplicated == 0 and stored == sent
    assert faults["postgresql"] > 0 and faults["server_kill"] > 0  # the faults were real

    # live positions resumed: each worker's newest position is its last ping
    positions = redis.Redis(port=private_redis.port).hgetall(f"live:pos:{world.office.id}")
    for phone in phones:
        newest = orjson.loads(positions[str(phone.worker_id).encode()])
        assert datetime.fromisoformat(newest["t"]) == datetime.fromisoformat(phone.sent[-1]["t"])
