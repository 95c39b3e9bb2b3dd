"""Daily partitions of the `ping` table: created ahead as needed, dropped after retention.

Run:  careroute tracking partitions   (the days pings may arrive for, and a few ahead)
      careroute tracking drop-old     (older than settings.ping_retention_days)
(`tracking.cli`; `python -m tracking.partitions ensure|drop-old` does the same.)

Partition `ping_YYYYMMDD` holds the pings of that UTC day of device time. Partitions are made
on their own short autocommit connection under an advisory lock, so several server processes
may ask at once, and an ingest transaction never holds the DDL lock.
"""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from core.db import get_engine
from core.settings import get_settings

log = logging.getLogger("careroute.tracking")

_LOCK_KEY = 0x7069_6E67  # "ping": serialises partition DDL across processes
_NAME = re.compile(r"^ping_(\d{8})$")
_known: dict[str, set[date]] = {}  # per database: partitions this process knows exist


def partition_name(day: date) -> str:
    return f"ping_{day:%Y%m%d}"


def window(now: datetime | None = None) -> list[date]:
    """The days valid pings may fall on: from the oldest accepted age to tomorrow."""
    settings = get_settings()
    today = (now or datetime.now(UTC)).date()
    first = today - timedelta(days=settings.ping_max_age_days + 1)
    return [first + timedelta(days=n) for n in range((today - first).days + 2)]


def existing(engine: Engine | None = None) -> set[date]:
    """Days that have a partition in the database."""
    with (engine or get_engine()).connect() as conn:
        names = conn.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'ping'::regclass"
            )
        )
        found = (_NAME.match(name) for name in names)
        return {datetime.strptime(m.group(1), "%Y%m%d").date() for m in found if m}


def ensure_partitions(days: Iterable[date], engine: Engine | None = None) -> None:
    """Create the missing daily partitions among `days` (cheap when they all exist)."""
    engine = engine or get_engine()
    known = _known.setdefault(str(engine.url), set())
    missing = sorted(set(days) - known)
    if not missing:
        return
    known.update(existing(engine))
    missing = [day for day in missing if day not in known]
    if not missing:
        return
    # Make the whole window of valid days at once, so that later batches never need DDL
    # (which would wait for transactions that are writing pings).
    missing = sorted(set(missing) | (set(window()) - known))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SET lock_timeout = '5s'"))
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
        try:
            for day in missing:
                conn.execute(
                    text(
                        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF ping "
                        f"FOR VALUES FROM ('{day.isoformat()} 00:00+00') "
                        f"TO ('{(day + timedelta(days=1)).isoformat()} 00:00+00')"
                    )
                )
                known.add(day)
                log.info("ping partition created", extra={"day": day.isoformat()})
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})


def drop_old_partitions(
    retention_days: int | None = None, *, today: date | None = None, engine: Engine | None = None
) -> list[date]:
    """Drop the partitions of days older than the retention; returns the days dropped."""
    keep = retention_days if retention_days is not None else get_settings().ping_retention_days
    cutoff = (today or datetime.now(UTC).date()) - timedelta(days=keep)
    engine = engine or get_engine()
    old = sorted(day for day in existing(engine) if day < cutoff)
    dropped: list[date] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Dropping a partition locks the whole `ping` table: give up after a few seconds
        # rather than queue every ingest behind a long transaction; the next pass retries.
        conn.execute(text("SET lock_timeout = '5s'"))
        for day in old:
            try:
                conn.execute(text(f"DROP TABLE IF EXISTS {partition_name(day)}"))
            except OperationalError as exc:
                log.warning(
                    "ping partition not dropped: table busy",
                    extra={"day": day.isoformat(), "error": str(exc.orig)},
                )
                continue
            _known.get(str(engine.url), set()).discard(day)
            dropped.append(day)
            log.info("ping partition dropped", extra={"day": day.isoformat()})
        # the refusals' record goes with the pings of its days
        conn.execute(text("DELETE FROM ping_refusal WHERE day < :cutoff"), {"cutoff": cutoff})
    return dropped


def forget_known() -> None:
    """Forget what this process knows (after partitions were changed elsewhere)."""
    _known.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["ensure", "drop-old"])
    args = parser.parse_args()
    if args.action == "ensure":
        ensure_partitions(window())
        print(f"partitions ready: {len(existing())} days")
    else:
        dropped = drop_old_partitions()
        print(f"dropped {len(dropped)} partitions: {', '.join(map(str, dropped)) or '-'}")


if __name__ == "__main__":
    main()
