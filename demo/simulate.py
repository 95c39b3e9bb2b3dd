"""`careroute simulate`: the demo workers walk today's approved routes, and their phones report
through the real gateway over HTTP (`POST /api/mobile/sync`), so the supervisor's live map
shows them moving and the visits turn done, late or missed.

Each worker's day follows the plan with the deviations `demo.day.walk_day` models
(late or early starts, slower or faster walking, longer or shorter stays, a lunch break, a
client not at home now and then, a forgotten "departed" tap, codes the client tells), plus
GPS noise as phones have it (a few metres in the open, now and then a fix 100 m off) and one
worker per office who starts 40 minutes late. A fix every ~30 s.

Time: the simulated clock starts at `--from` (default: now; with `--speed` above 1, the
start of the earliest route) and runs `--speed` times faster than the real one, but never
ahead of it: the gateway refuses positions from the future. What lies before the simulated
start is sent at once, as phones sync their outbox. The command stops by itself when every
worker is home, or on Ctrl+C. It only ever touches the demo region's offices.

Every item carries an id derived from the worker, the stop and the instant, so running the
command again (after a Ctrl+C, say) resends harmless duplicates, never new visits.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.geo import METRES_PER_DEGREE
from core.settings import get_settings
from demo.day import Event, walk_day
from demo.history import PlannedDay, PlannedStop
from tracking.evidence import visit_code

SIM_DEVICE_NAME = "Демо-телефон (симулятор)"
LATE_START = timedelta(minutes=40)  # one worker per office: the bus did not come
BATCH = 1000  # items per sync request (the gateway takes up to 5,000)
GIVE_UP_AFTER = timedelta(minutes=5)  # the server gone this long: stop (run beside it)
NAMESPACE = uuid.UUID("0b6f3c1e-5a41-4c63-9d2e-7c1f2a6b9e10")  # for the items' stable ids


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a phone sends: a ping or a visit event, in the gateway's JSON shape."""

    t: datetime
    kind: str  # ping | event
    body: dict[str, Any]


@dataclass(slots=True)
class Phone:
    """A worker's phone during the replay: its token and the items still to send."""

    worker_id: int
    office_id: int
    name: str
    token: str
    items: list[Item]
    sent: int = 0  # items[:sent] are delivered

    def due(self, until: datetime) -> list[Item]:
        end = self.sent
        while end < len(self.items) and self.items[end].t <= until:
            end += 1
        return self.items[self.sent : end]


# --- the day as items (pure) -----------------------------------------------------------------


def _stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _noisy(lon: float, lat: float, accuracy: float, rng: random.Random) -> tuple[float, float]:
    """A phone's fix around the true spot: spread like its reported accuracy."""
    sigma = accuracy / 2 / METRES_PER_DEGREE
    return lon + rng.gauss(0, sigma) / math.cos(math.radians(lat)), lat + rng.gauss(0, sigma)


def items_of_day(plan: PlannedDay, rng: random.Random) -> list[Item]:
    """One worker's day, walked with realistic deviations, as gateway items in time order."""
    walked = walk_day(plan, rng)
    items: list[Item] = []
    for n, fix in enumerate(walked.fixes):
        accuracy = fix.accuracy
        if rng.random() < 0.01:  # between tall blocks: a fix far off, and the phone knows it
            accuracy = rng.uniform(60, 150)
        lon, lat = _noisy(*fix.where, accuracy, rng)
        body = {
            "uuid": _stable_id(plan.worker_id, "ping", fix.t.isoformat()),
            "t": fix.t.isoformat(),
            "lat": round(lat, 7),
            "lon": round(lon, 7),
            "accuracy": round(accuracy, 1),
            "battery": round(96 - 55 * n / max(len(walked.fixes), 1)),
        }
        items.append(Item(fix.t, "ping", body))
    for event in walked.events:
        items.append(Item(event.tap.t, "event", _event_body(plan, event)))
    items.sort(key=lambda item: (item.t, item.kind != "ping"))
    return items


def _event_body(plan: PlannedDay, event: Event) -> dict[str, Any]:
    stop, tap = event.stop, event.tap
    lon, lat = tap.where
    body: dict[str, Any] = {
        "uuid": _stable_id(plan.worker_id, stop.plan_stop_id, event.kind, plan.day),
        "type": event.kind,
        "t": tap.t.isoformat(),
        "client_id": stop.client_id,
        "plan_stop_id": stop.plan_stop_id,
        "lat": round(lat, 7),
        "lon": round(lon, 7),
        "accuracy": tap.accuracy,
    }
    if event.kind == "service_rendered":
        body["services"] = event.services if event.services is not None else stop.services
    if event.kind == "client_confirmed":
        body["code"] = event.code
    if event.kind in ("no_show", "refused"):
        body["reason"] = event.reason or "никто не открыл дверь"
    return body


def late_starters(days: Sequence[PlannedDay], rng: random.Random) -> set[int]:
    """One worker per office who starts late today."""
    by_office: dict[int, list[int]] = {}
    for day in days:
        by_office.setdefault(day.office_id, []).append(day.worker_id)
    return {rng.choice(sorted(workers)) for workers in by_office.values()}


def plan_items(days: Sequence[PlannedDay], *, seed: int) -> dict[int, list[Item]]:
    """Every worker's items, the same for the same seed."""
    rng = random.Random(seed)
    late = late_starters(days, rng)
    result = {}
    for day in sorted(days, key=lambda d: d.worker_id):
        walked = replace(day, start=day.start + LATE_START) if day.worker_id in late else day
        result[day.worker_id] = items_of_day(walked, random.Random(rng.random()))
    return result


# --- the simulated clock ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clock:
    """Simulated time: from `sim_start`, `speed` times faster than the wall clock since
    `wall_start`, and never ahead of the wall clock."""

    sim_start: datetime
    wall_start: datetime
    speed: float

    def at(self, wall: datetime) -> datetime:
        return min(wall, self.sim_start + (wall - self.wall_start) * self.speed)


# --- reading the day and the phones (database) --------------------------------------------


def demo_office_ids(session: Session) -> list[int]:
    from core.models import Office, Region
    from demo.data.region import REGION_NAME

    query = select(Office.id).join(Region).where(Region.name == REGION_NAME)
    return list(session.scalars(query.order_by(Office.id)))


def planned_days(session: Session, *, office_ids: Sequence[int], day: date) -> list[PlannedDay]:
    """The routes of the offices' approved plans for the day (the phone's device id is 0
    here; the gateway knows the device by its token)."""
    from geoalchemy2.shape import to_shape

    from planner.models import Plan, PlanStatus
    from registry.models import Client, Worker

    plans = session.scalars(
        select(Plan).where(
            Plan.office_id.in_(office_ids), Plan.day == day, Plan.status == PlanStatus.APPROVED
        )
    )
    days = []
    for plan in plans:
        for route in plan.routes:
            stops = []
            for s in route.stops:
                client = session.get(Client, s.client_id)
                if client is None or client.location is None:
                    continue
                point = to_shape(client.location)
                services = [{"code": x["code"], "minutes": x["minutes"]} for x in s.services]
                stops.append(
                    PlannedStop(
                        s.id, s.client_id, (point.x, point.y), s.start, s.end, services,
                        visit_code(
                            client_id=client.id, seed=client.confirmation_code or "", day=plan.day
                        ), s.travel_s,
                    )
                )  # fmt: skip
            worker = session.get(Worker, route.worker_id)
            if not stops or worker is None:
                continue
            home = to_shape(worker.start_location) if worker.start_location is not None else None
            lunch = 0
            if route.break_start and route.break_end:
                lunch = int((route.break_end - route.break_start).total_seconds() // 60)
            days.append(
                PlannedDay(
                    plan.office_id, worker.id, 0, day, route.start,
                    (home.x, home.y) if home else stops[0].where, stops, route.break_start, lunch,
                    mode=worker.travel_mode.value, end=route.end,
                )
            )  # fmt: skip
    return days


def phone_tokens(session: Session, *, worker_ids: Sequence[int]) -> dict[int, str]:
    """A simulator phone per worker (created once) with a fresh token; the workers' own
    phones are never touched."""
    from core.security import hash_device_token, new_device_token
    from registry.models import Worker
    from tracking.devices import register_device
    from tracking.models import Device

    tokens = {}
    for worker_id in worker_ids:
        device = session.scalars(
            select(Device).where(
                Device.worker_id == worker_id,
                Device.name == SIM_DEVICE_NAME,
                Device.revoked_at.is_(None),
            )
        ).first()
        if device is None:
            worker = session.get(Worker, worker_id)
            assert worker is not None
            device, token = register_device(
                session, worker=worker, name=SIM_DEVICE_NAME, platform="other"
            )
        else:
            token = new_device_token()  # the old token is not kept anywhere: a new one
            device.token_hash = hash_device_token(token)
        tokens[worker_id] = token
    session.flush()
    return tokens


# --- sending ------------------------------------------------------------------------------------


class ServerGone(RuntimeError):
    """The server has not answered for GIVE_UP_AFTER: it was stopped, so the phones stop."""


class GatewayRefused(RuntimeError):
    """The gateway refused a phone (unknown or revoked device): resending will not help."""


@dataclass(slots=True)
class Tally:
    """What the gateway answered, item by item."""

    pings: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)  # accepted events by type
    failures: int = 0  # requests to send again (network, 503)


def send(client: Any, phone: Phone, items: list[Item], tally: Tally) -> bool:
    """One sync request for the phone's due items; False when it must be sent again."""
    body = {
        "pings": [i.body for i in items if i.kind == "ping"],
        "events": [i.body for i in items if i.kind == "event"],
    }
    try:
        answer = client.post(
            "/api/mobile/sync", json=body, headers={"Authorization": f"Device {phone.token}"}
        )
    except Exception:  # network: the outbox keeps them
        tally.failures += 1
        return False
    if answer.status_code in (401, 403):
        raise GatewayRefused(f"{phone.name}: {answer.text}")
    if answer.status_code != 200:
        tally.failures += 1
        return False
    data = answer.json()
    tally.pings.update(v["status"] for v in data["pings"])
    tally.events.update(v["status"] for v in data["events"])
    for verdict, sent in zip(data["events"], body["events"], strict=True):
        if verdict["status"] == "accepted":
            tally.kinds[sent["type"]] += 1
    return True


def replay(
    phones: Sequence[Phone],
    clock: Clock,
    client: Any,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
    tz: ZoneInfo | None = None,
) -> Tally:
    """Send each phone's items when the simulated clock reaches them, until all are sent."""
    tz = tz or ZoneInfo(get_settings().timezone)
    tally = Tally()
    tick = min(max(30.0 / clock.speed, 0.5), 5.0)
    reported: datetime | None = None
    waiting_said = False
    reached = now()  # when the server last answered (or the replay began)
    while any(p.sent < len(p.items) for p in phones):
        sim = clock.at(now())
        failures = tally.failures
        for phone in phones:
            due = phone.due(sim)
            for start in range(0, len(due), BATCH):
                if not send(client, phone, due[start : start + BATCH], tally):
                    break
                phone.sent += len(due[start : start + BATCH])
        if tally.failures == failures:
            reached = now()
        elif now() - reached > GIVE_UP_AFTER:
            raise ServerGone(f"no answer from the server for {GIVE_UP_AFTER}")
        pending = [p.items[p.sent].t for p in phones if p.sent < len(p.items)]
        if pending and not waiting_said and min(pending) > now() + timedelta(minutes=5):
            say(
                f"waiting: the next report is due at {min(pending).astimezone(tz):%H:%M}; "
                "the gateway takes no positions from the future, so from then on the day "
                "plays in real time"
            )
            waiting_said = True
        if reported is None or sim - reported >= timedelta(minutes=15) or not pending:
            say(f"{sim.astimezone(tz):%H:%M}  {progress_line(phones, tally)}")
            reported = sim
        if pending:
            sleep(tick)
    return tally


def progress_line(phones: Sequence[Phone], tally: Tally) -> str:
    sent = sum(p.sent for p in phones)
    total = sum(len(p.items) for p in phones)
    kinds = tally.kinds
    return (
        f"sent {sent}/{total}: pings {dict(tally.pings)}, arrived {kinds['arrived']}, "
        f"departed {kinds['departed']}, confirmed {kinds['client_confirmed']}, "
        f"no-show {kinds['no_show']}" + (f", resends {tally.failures}" if tally.failures else "")
    )


# --- the command ----------------------------------------------------------------------------


def prepare(
    session: Session, *, day: date, offices: Sequence[int] | None, seed: int
) -> list[Phone]:
    """The phones to replay: one per worker with a route in the day's approved plans."""
    import infra.migrations.all_models  # noqa: F401  (every table known before the first query)
    from registry.models import Worker

    demo = demo_office_ids(session)
    chosen = [o for o in (offices or demo) if o in demo]
    days = planned_days(session, office_ids=chosen, day=day)
    tokens = phone_tokens(session, worker_ids=[d.worker_id for d in days])
    items = plan_items(days, seed=seed)
    phones = []
    for d in days:
        worker = session.get(Worker, d.worker_id)
        name = worker.full_name if worker else str(d.worker_id)
        phones.append(
            Phone(d.worker_id, d.office_id, name, tokens[d.worker_id], items[d.worker_id])
        )
    return phones


def _start_of(text: str | None, day: date, tz: ZoneInfo) -> datetime | None:
    if not text:
        return None
    hours, minutes = (int(x) for x in text.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=tz)


def main(argv: Sequence[str] | None = None) -> int:
    """`careroute simulate`: walk the day's approved routes, reporting through the gateway."""
    import httpx

    from core.db import session_scope

    parser = argparse.ArgumentParser(
        prog="careroute simulate",
        description="The demo workers walk today's approved routes; their phones report "
        "pings and visits through the gateway, so the live map moves. Ctrl+C stops.",
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--speed", type=float, default=1.0, help="times faster than real time")
    parser.add_argument("--from", dest="start", help="HH:MM to start the simulated clock at")
    parser.add_argument("--day", type=date.fromisoformat, help="YYYY-MM-DD (default today)")
    parser.add_argument("--office", type=int, action="append", help="only this office id")
    parser.add_argument("--seed", type=int, default=5, help="the same seed, the same day")
    parser.add_argument("--quiet", action="store_true", help="print only the last line")
    args = parser.parse_args(argv)
    tz = ZoneInfo(get_settings().timezone)
    day = args.day or datetime.now(tz).date()
    with session_scope() as session:
        phones = prepare(session, day=day, offices=args.office, seed=args.seed)
    if not phones:
        print(
            f"careroute simulate: no approved routes in the demo offices on {day} "
            "(run `careroute demo`, or approve a plan on the Plan tab)",
            file=sys.stderr,
        )
        return 1
    first = min(p.items[0].t for p in phones if p.items)
    start = _start_of(args.start, day, tz) or (first if args.speed > 1 else datetime.now(tz))
    clock = Clock(sim_start=start, wall_start=datetime.now(UTC), speed=max(args.speed, 0.01))
    say = (lambda _: None) if args.quiet else print
    say(f"{len(phones)} workers on {day}, from {start.astimezone(tz):%H:%M} at x{args.speed:g}")
    try:
        with httpx.Client(base_url=args.url, timeout=30) as client:
            tally = replay(phones, clock, client, say=say, tz=tz)
    except KeyboardInterrupt:
        print("stopped; run again to go on (what was sent is not sent twice)")
        return 0
    except GatewayRefused as exc:
        print(f"careroute simulate: the gateway refused a phone: {exc}", file=sys.stderr)
        return 1
    except ServerGone as exc:
        print(f"careroute simulate: {exc}; stopping", file=sys.stderr)
        return 1
    print(f"day over: {progress_line(phones, tally)}")
    return 0
