"""CPU accounting from /proc for the ingest benchmark (bench.ingest): the server's process
tree, the app's PostgreSQL backends and the Redis server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from bench.ingest_load import APP_NAME
from core.db import get_engine

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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
