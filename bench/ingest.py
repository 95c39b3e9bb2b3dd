"""Ping ingest benchmark: pings/s stored in PostGIS and live latency to supervisors.

Run:  .venv/bin/python -m bench.ingest                 (defaults below)
      .venv/bin/python -m bench.ingest --pings 100000 --batch 500 --workers 2 --supervisors 200

What it does: migrates the development database (settings DATABASE_URL), creates a scratch
office with `--devices` field workers (each with a device token) and a supervisor, starts the
app with uvicorn on 127.0.0.1 (`--workers` processes), opens `--supervisors` live websockets
on that office, and posts `--pings` pings in batches of `--batch` through `POST
/api/mobile/sync` with `--concurrency` requests in flight. Then it counts the rows in the
database, prints a table and deletes everything it made.

Columns:
- stored/s: pings counted in PostGIS after the run, divided by the wall time from the first
  request to the last answer;
- p50/p95/max ms: for every position message that reached a supervisor socket, the time from
  the server's receipt of the batch (`recv` in the message) to its arrival at the socket,
  over all sockets (same machine, same clock).
The machine is shared with other work, so figures vary between runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import websockets
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office, Region, Role, TravelMode, User, Worker, WorkerShift
from core.security import create_access_token, hash_password
from tracking.devices import register_device


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(devices: int) -> tuple[int, int, list[int], list[str]]:
    """A scratch office, its supervisor, workers on duty around the clock, device tokens."""
    config = Config("infra/alembic.ini")
    command.upgrade(config, "head")
    with Session(get_engine(), expire_on_commit=False) as session:
        stamp = time.strftime("%H%M%S")
        region = Region(name=f"bench region {stamp}-{random.randrange(10**6)}")
        session.add(region)
        session.flush()
        office = Office(region_id=region.id, name=f"bench office {stamp}")
        session.add(office)
        session.flush()
        supervisor = User(
            username=f"bench-sup-{office.id}",
            password_hash=hash_password("x"),
            role=Role.SUPERVISOR,
        )
        supervisor.offices = [office]
        session.add(supervisor)
        tokens, worker_ids = [], []
        for n in range(devices):
            worker = Worker(
                office_id=office.id, full_name=f"bench {n}", travel_mode=TravelMode.WALK
            )
            worker.shifts = [
                WorkerShift(
                    weekday=d,
                    start=datetime.min.time(),
                    end=datetime.max.time().replace(microsecond=0),
                )
                for d in range(1, 8)
            ]
            session.add(worker)
            session.flush()
            _, token = register_device(session, worker=worker, name="bench")
            tokens.append(token)
            worker_ids.append(worker.id)
        session.commit()
        return region.id, office.id, worker_ids, tokens, supervisor.id  # type: ignore[return-value]


def cleanup(region_id: int, office_id: int, worker_ids: list[int], supervisor_id: int) -> None:
    with get_engine().begin() as conn:
        ids = {"w": worker_ids, "o": office_id}
        for table in ("ping", "ping_drop", "device"):
            conn.execute(text(f"DELETE FROM {table} WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM worker WHERE office_id = :o"), ids)
        conn.execute(text("DELETE FROM app_user WHERE id = :u"), {"u": supervisor_id})
        conn.execute(text("DELETE FROM office WHERE id = :o"), ids)
        conn.execute(text("DELETE FROM region WHERE id = :r"), {"r": region_id})
        conn.execute(
            text("DELETE FROM track_day_stale WHERE worker_id = ANY(:w)"), ids
        ) if conn.execute(
            text("SELECT to_regclass('track_day_stale') IS NOT NULL")
        ).scalar() else None


def batches(tokens: list[str], total: int, size: int) -> list[tuple[str, bytes]]:
    """Request bodies: each device's pings 1 s apart in the last hours, shuffled batches."""
    per_device = total // len(tokens)
    start = datetime.now(UTC) - timedelta(hours=4)
    bodies = []
    for d, token in enumerate(tokens):
        for first in range(0, per_device, size):
            pings = [
                {
                    "t": (start + timedelta(seconds=i)).isoformat(),
                    "lat": 55.70 + d * 0.001 + i * 1e-6,
                    "lon": 37.60 + i * 1e-6,
                    "accuracy": 10.0,
                    "speed": 1.3,
                    "battery": 80,
                }
                for i in range(first, min(first + size, per_device))
            ]
            bodies.append((token, orjson.dumps({"pings": pings})))
    random.Random(1).shuffle(bodies)
    return bodies


async def supervisors(
    url: str, n: int, latencies: list[float], ready: asyncio.Event
) -> list[asyncio.Task]:
    async def one() -> None:
        async with websockets.connect(url, max_size=None, open_timeout=30) as ws:
            await ws.recv()  # snapshot
            connected.append(1)
            if len(connected) == n:
                ready.set()
            async for raw in ws:
                message = orjson.loads(raw)
                if message.get("type") == "positions":
                    latencies.append(time.time() * 1000 - message["recv"])

    connected: list[int] = []
    return [asyncio.create_task(one()) for _ in range(n)]


async def run(
    args: argparse.Namespace, port: int, office_id: int, tokens: list[str], sup_token: str
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    ready = asyncio.Event()
    tasks = await supervisors(
        f"ws://127.0.0.1:{port}/api/live/ws?office_id={office_id}&token={sup_token}",
        args.supervisors,
        latencies,
        ready,
    )
    await asyncio.wait_for(ready.wait(), 60)
    bodies = batches(tokens, args.pings, args.batch)
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
    ) as http:
        queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)

        async def sender() -> None:
            while not queue.empty():
                token, body = queue.get_nowait()
                answer = await http.post(
                    "/api/mobile/sync",
                    content=body,
                    headers={
                        "Authorization": f"Device {token}",
                        "Content-Type": "application/json",
                    },
                )
                answer.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)  # let the last messages arrive
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return elapsed, latencies


def wait_for_server(port: int) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description="ping ingest benchmark")
    parser.add_argument("--pings", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--devices", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--supervisors", type=int, default=200, help="live websockets")
    args = parser.parse_args()

    region_id, office_id, worker_ids, tokens, supervisor_id = setup(args.devices)
    port = free_port()
    env = dict(os.environ, LOG_LEVEL="WARNING", LOG_JSON="true")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        wait_for_server(port)
        sup_token = create_access_token(supervisor_id, "supervisor")
        elapsed, latencies = asyncio.run(run(args, port, office_id, tokens, sup_token))
        with get_engine().connect() as conn:
            stored = (
                conn.execute(
                    text("SELECT count(*) FROM ping WHERE worker_id = ANY(:w)"), {"w": worker_ids}
                ).scalar()
                or 0
            )
    finally:
        server.terminate()
        server.wait(30)
        cleanup(region_id, office_id, worker_ids, supervisor_id)

    expected = (args.pings // args.devices) * args.devices
    quantiles = (
        statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    )
    print()
    print(
        f"{'pings sent':>11} {'stored':>8} {'seconds':>8} {'stored/s':>9} {'uvicorn':>8} "
        f"{'sockets':>8} {'messages':>9} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    print(
        f"{expected:>11} {stored:>8} {elapsed:>8.2f} {stored / elapsed:>9.0f} {args.workers:>8} "
        f"{args.supervisors:>8} {len(latencies):>9} {quantiles[49]:>7.1f} {quantiles[94]:>7.1f} "
        f"{max(latencies, default=float('nan')):>7.1f}"
    )
    if stored != expected:
        print(f"WARNING: {expected - stored} pings missing in the database")


if __name__ == "__main__":
    main()
