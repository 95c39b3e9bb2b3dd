"""The ingest benchmark's load (bench.ingest): a scratch office of field workers with device
tokens, the request bytes made before the clock starts, the asyncio sender, and the process
holding the supervisors' live sockets."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection

import orjson
import websockets
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.db import get_engine
from core.models import Office, Region, Role, User
from core.security import hash_password
from registry.models import TravelMode, Worker, WorkerShift
from tracking.devices import register_device

APP_NAME = "careroute-bench-ingest"  # marks the app's database connections for CPU accounting


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
