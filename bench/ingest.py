"""Ping ingest benchmark: pings/s stored in PostGIS, live latency to supervisors, CPU per ping.

Run:  .venv/bin/python -m bench.ingest                 (defaults below)
      .venv/bin/python -m bench.ingest --pings 100000 --batch 500 --workers 2 --supervisors 200

What it does: migrates the development database (settings DATABASE_URL), creates a scratch
office with `--devices` field workers (each with a device token) and a supervisor, starts the
app with uvicorn on 127.0.0.1 (`--workers` processes; websocket compression off unless
`--ws-deflate`), opens `--supervisors` live websockets on that office in a reader process of
their own, and posts `--pings` pings in batches of `--batch` through `POST /api/mobile/sync`
with `--concurrency` requests in flight. The sender is plain asyncio streams writing request
bytes made before the clock starts, so the client spends little CPU. The first
`2 x concurrency` batches warm the server up and are not timed. Then it counts the rows in
the database, prints two tables and deletes everything it made.

Columns:
- stored/s: pings counted in PostGIS after the run, divided by the wall time from the first
  timed request to the last answer;
- p50/p95/max ms: for every position message that reached a supervisor socket, the time from
  the server's receipt of the batch (`recv` in the message, taken before the request's other
  dependencies run) to its arrival at the socket, over all sockets (same machine, same clock);
- CPU ms per 1,000 pings, read from /proc over the timed part: the uvicorn processes
  (`server`), the app's PostgreSQL backends (found by the `application_name` the benchmark
  puts in the URL), the Redis server (shared with anyone else using it), the sender and the
  reader process; `2-core pings/s` = 2 CPU-seconds divided by the server + PostgreSQL +
  Redis CPU per ping: what two cores doing only that work would store. The machine is
  shared with other work, so the wall-clock figures vary between runs; the CPU figures much
  less.

Measured on the shared 2-core development machine while other work kept its load average at
5-8 (defaults: 40 devices, batches of 500, 2 uvicorn workers, 200 supervisor sockets):

    .venv/bin/python -m bench.ingest                               (as fast as it answers)
       pings   stored  seconds  stored/s offered/s  batch in flight  uvicorn  sockets  messages  p50 ms  p95 ms  max ms
       96000    96000     6.19     15520       max    500         4        2      200     38400   127.5   321.7   659.4
    CPU ms per 1,000 pings stored
      server  postgres  redis  sender  readers  2-core pings/s
        39.0      12.5    0.5     0.5      8.8           38477

    .venv/bin/python -m bench.ingest --rate 10000 --concurrency 8  (the target load)
       pings   stored  seconds  stored/s offered/s  batch in flight  uvicorn  sockets  messages  p50 ms  p95 ms  max ms
       92000    92000     9.18     10020     10000    500         8        2      200     36800    27.8   181.9   436.9
    CPU ms per 1,000 pings stored
      server  postgres  redis  sender  readers  2-core pings/s
        38.8      12.1    0.5     1.0     10.9           38901

Across runs: 9,300-27,000 stored/s at full speed (most runs 14,000-20,000; the low ones
with the machine's load average above 8), p95 there 120-620 ms, as a saturated server
queues; at 10,000 pings/s offered, p95 81-233 ms (eight runs, median about 115 ms). The same benchmark against the ingest code before the
JSON-rows insert and the one-query device check stored 9,489 pings/s at 75.6 server CPU ms
per 1,000 pings, p95 207 ms at 10,000/s. The spread is the other work on the machine: the
CPU columns move far less than the wall-clock ones.
"""  # noqa: E501

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import orjson
import websockets
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office, Region, Role, User
from core.security import create_access_token, hash_password
from core.settings import get_settings
from registry.models import TravelMode, Worker, WorkerShift
from tracking.devices import register_device

APP_NAME = "careroute-bench-ingest"  # marks the app's database connections for CPU accounting
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Scratch:
    region_id: int
    office_id: int
    worker_ids: list[int]
    tokens: list[str]
    supervisor_id: int


def setup(devices: int) -> Scratch:
    """A scratch office, its supervisor, workers on duty around the clock, device tokens."""
    command.upgrade(Config("infra/alembic.ini"), "head")
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
        return Scratch(region.id, office.id, worker_ids, tokens, supervisor.id)


def cleanup(scratch: Scratch) -> None:
    """Delete by id everything the run made (other people use the same database)."""
    with get_engine().begin() as conn:
        ids = {"w": scratch.worker_ids, "o": scratch.office_id}
        for table in (
            "ping",
            "ping_drop",
            "ping_refusal",
            "device",
            "track_day_stale",
            "track_day",
        ):
            conn.execute(text(f"DELETE FROM {table} WHERE worker_id = ANY(:w)"), ids)
        conn.execute(text("DELETE FROM worker WHERE office_id = :o"), ids)
        user = {"u": scratch.supervisor_id}
        conn.execute(text("DELETE FROM audit_log WHERE user_id = :u"), user)
        conn.execute(text("DELETE FROM app_user WHERE id = :u"), user)
        conn.execute(text("DELETE FROM office WHERE id = :o"), ids)
        conn.execute(text("DELETE FROM region WHERE id = :r"), {"r": scratch.region_id})


def requests(tokens: list[str], total: int, size: int) -> list[tuple[int, bytes]]:
    """(pings, HTTP request bytes) in sending order: each device's pings 1 s apart in the last
    hours. As phones do, a device sends its batches in order, one at a time: the requests
    go in rounds, each device's next batch once per round, the devices shuffled per round."""
    per_device = total // len(tokens)
    start = datetime.now(UTC) - timedelta(hours=4)
    shuffle = random.Random(1).shuffle
    rounds: list[list[tuple[int, bytes]]] = []
    for first in range(0, per_device, size):
        this_round = []
        for d, token in enumerate(tokens):
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
            body = orjson.dumps({"pings": pings})
            head = (
                "POST /api/mobile/sync HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Device {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            this_round.append((len(pings), head.encode() + body))
        shuffle(this_round)
        rounds.append(this_round)
    return [request for this_round in rounds for request in this_round]


async def send_all(port: int, queue: list[bytes], concurrency: int, interval: float = 0.0) -> None:
    """Post the requests over `concurrency` keep-alive connections until the list is empty;
    with an `interval`, request n starts no earlier than n x interval after the first (an
    open-loop load at a set rate, as phones send regardless of how busy the server is)."""
    started = time.perf_counter()
    sent = 0

    async def connection() -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                request = queue.pop(0)
                due = started + sent * interval
                sent += 1
                if interval and (delay := due - time.perf_counter()) > 0:
                    await asyncio.sleep(delay)
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))


def supervisor_process(url: str, n: int, pipe: Connection) -> None:
    """The reader process: `n` live sockets; reports 'ready', then latencies when told."""

    async def main() -> None:
        latencies: list[float] = []
        connected = 0
        ready = asyncio.Event()

        async def one() -> None:
            nonlocal connected
            async with websockets.connect(url, max_size=None, open_timeout=60) as ws:
                await ws.recv()  # snapshot
                connected += 1
                if connected == n:
                    ready.set()
                async for raw in ws:
                    arrived = time.time() * 1000
                    message = orjson.loads(raw)
                    if message.get("type") == "positions":
                        latencies.append(arrived - message["recv"])

        tasks = [asyncio.create_task(one()) for _ in range(n)]
        await asyncio.wait_for(ready.wait(), 120)
        pipe.send("ready")
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, pipe.recv)  # "start": from here CPU is counted
        latencies.clear()
        cpu_start = time.process_time()
        await loop.run_in_executor(None, pipe.recv)  # "stop"
        cpu = time.process_time() - cpu_start
        pipe.send((latencies, cpu))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


# --- CPU accounting from /proc -------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += [child for child, parent in parents.items() if parent == pid]
    return tree


def app_backends() -> list[int]:
    with get_engine().connect() as conn:
        return list(
            conn.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :a"),
                {"a": APP_NAME},
            )
        )


def redis_pid() -> int | None:
    from core.redis import get_redis

    try:
        return int(get_redis().info("server")["process_id"])
    except Exception:
        return None


@dataclass
class CpuSample:
    server: dict[int, float]
    postgres: dict[int, float]
    redis: float

    @classmethod
    def take(cls, server_pid: int, redis: int | None) -> CpuSample:
        return cls(
            server={pid: cpu_seconds(pid) for pid in process_tree(server_pid)},
            postgres={pid: cpu_seconds(pid) for pid in app_backends()},
            redis=cpu_seconds(redis) if redis else 0.0,
        )


def used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


# --- the run --------------------------------------------------------------------------------


def start_server(port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    url = get_settings().database_url
    separator = "&" if "?" in url else "?"
    env = dict(
        os.environ,
        LOG_LEVEL="WARNING",
        LOG_JSON="true",
        DATABASE_URL=f"{url}{separator}application_name={APP_NAME}",
    )
    command_line = [
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
        "--ws-per-message-deflate",
        "true" if args.ws_deflate else "false",
    ]
    return subprocess.Popen(command_line, env=env)


def wait_for_server(port: int) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


@dataclass
class Result:
    timed_pings: int
    warm_pings: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    postgres_cpu: float
    redis_cpu: float
    sender_cpu: float
    reader_cpu: float


def run(
    args: argparse.Namespace, port: int, server: subprocess.Popen[bytes], scratch: Scratch
) -> Result:
    sup_token = create_access_token(scratch.supervisor_id, "supervisor")
    url = f"ws://127.0.0.1:{port}/api/live/ws?office_id={scratch.office_id}&token={sup_token}"
    made = requests(scratch.tokens, args.pings, args.batch)
    warm, timed = made[: 2 * args.concurrency], made[2 * args.concurrency :]

    parent, child = multiprocessing.get_context("spawn").Pipe()
    readers = multiprocessing.get_context("spawn").Process(
        target=supervisor_process, args=(url, args.supervisors, child)
    )
    readers.start()
    try:
        if not parent.poll(180) or parent.recv() != "ready":
            raise RuntimeError("the supervisor sockets did not connect")
        asyncio.run(send_all(port, [r for _, r in warm], args.concurrency))
        time.sleep(0.5)
        redis = redis_pid()
        before = CpuSample.take(server.pid, redis)
        parent.send("start")
        sender_start = time.process_time()
        started = time.perf_counter()
        interval = args.batch / args.rate if args.rate else 0.0
        asyncio.run(send_all(port, [r for _, r in timed], args.concurrency, interval))
        elapsed = time.perf_counter() - started
        sender_cpu = time.process_time() - sender_start
        time.sleep(1.0)  # let the last messages arrive
        after = CpuSample.take(server.pid, redis)
        parent.send("stop")
        latencies, reader_cpu = parent.recv()
    finally:
        readers.join(30)
        if readers.is_alive():
            readers.terminate()
    return Result(
        timed_pings=sum(n for n, _ in timed),
        warm_pings=sum(n for n, _ in warm),
        seconds=elapsed,
        latencies=latencies,
        server_cpu=used(before.server, after.server),
        postgres_cpu=used(before.postgres, after.postgres),
        redis_cpu=after.redis - before.redis,
        sender_cpu=sender_cpu,
        reader_cpu=reader_cpu,
    )


def report(args: argparse.Namespace, result: Result, stored: int) -> None:
    timed_stored = stored - result.warm_pings
    worst = max(result.latencies, default=float("nan"))
    quantiles = (
        statistics.quantiles(result.latencies, n=100)
        if len(result.latencies) > 1
        else [float("nan")] * 99
    )
    print()
    print(
        f"{'pings':>8} {'stored':>8} {'seconds':>8} {'stored/s':>9} {'offered/s':>9} "
        f"{'batch':>6} {'in flight':>9} "
        f"{'uvicorn':>8} {'sockets':>8} {'messages':>9} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )
    print(
        f"{result.timed_pings:>8} {timed_stored:>8} {result.seconds:>8.2f} "
        f"{timed_stored / result.seconds:>9.0f} {args.rate or 'max':>9} "
        f"{args.batch:>6} {args.concurrency:>9} "
        f"{args.workers:>8} {args.supervisors:>8} {len(result.latencies):>9} "
        f"{quantiles[49]:>7.1f} {quantiles[94]:>7.1f} {worst:>7.1f}"
    )
    per_k = 1000 / max(timed_stored, 1) * 1000  # CPU seconds -> ms per 1,000 pings
    work = result.server_cpu + result.postgres_cpu + result.redis_cpu
    print()
    print("CPU ms per 1,000 pings stored")
    print(
        f"{'server':>8} {'postgres':>9} {'redis':>6} {'sender':>7} {'readers':>8} "
        f"{'2-core pings/s':>15}"
    )
    print(
        f"{result.server_cpu * per_k:>8.1f} {result.postgres_cpu * per_k:>9.1f} "
        f"{result.redis_cpu * per_k:>6.1f} {result.sender_cpu * per_k:>7.1f} "
        f"{result.reader_cpu * per_k:>8.1f} {2 * timed_stored / max(work, 1e-9):>15.0f}"
    )
    if timed_stored != result.timed_pings:
        print(f"WARNING: {result.timed_pings - timed_stored} pings missing in the database")


def main() -> None:
    parser = argparse.ArgumentParser(description="ping ingest benchmark")
    parser.add_argument("--pings", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--devices", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="requests in flight (at most, with --rate)"
    )
    parser.add_argument(
        "--rate",
        type=int,
        default=0,
        help="pings/s to offer (open loop); 0: as fast as the server answers",
    )
    parser.add_argument("--supervisors", type=int, default=200, help="live websockets")
    parser.add_argument(
        "--ws-deflate", action="store_true", help="let uvicorn compress websocket messages"
    )
    args = parser.parse_args()

    scratch = setup(args.devices)
    port = free_port()
    server = start_server(port, args)
    try:
        wait_for_server(port)
        result = run(args, port, server, scratch)
        with get_engine().connect() as conn:
            stored = conn.execute(
                text("SELECT count(*) FROM ping WHERE worker_id = ANY(:w)"),
                {"w": scratch.worker_ids},
            ).scalar()
    finally:
        server.terminate()
        server.wait(30)
        cleanup(scratch)
    report(args, result, stored or 0)


if __name__ == "__main__":
    main()
