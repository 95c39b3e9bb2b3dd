"""`careroute serve` and `careroute migrate`: wait for the services, migrate, then serve.

Start-up order: wait for the database (a clear message if it is down), `alembic upgrade
head`, then run uvicorn and, beside it, a planning job worker so a single machine plans too.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from core.db import get_engine
from core.logging import setup_logging
from core.redis import get_redis
from core.settings import get_settings

log = logging.getLogger("careroute.serve")
ROOT = Path(__file__).resolve().parents[1]


def wait_for_services(timeout_s: float = 30.0) -> None:
    """Blocks until PostgreSQL and Redis answer; exits with a clear message if they never do."""
    settings = get_settings()
    deadline = time.monotonic() + timeout_s
    for name, probe, url in (
        ("PostgreSQL", _probe_database, settings.database_url),
        ("Redis", lambda: get_redis().ping(), settings.redis_url),
    ):
        while True:
            try:
                probe()
                break
            except Exception as exc:
                if time.monotonic() > deadline:
                    safe_url = url.split("@")[-1]
                    sys.exit(
                        f"careroute: {name} is not reachable at {safe_url} ({exc}).\n"
                        "Start the local services with `bash infra/services.sh start`, "
                        "or set DATABASE_URL / REDIS_URL."
                    )
                time.sleep(1)


def _probe_database() -> None:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "infra" / "alembic.ini"))
    config.attributes["url"] = get_settings().database_url
    command.upgrade(config, "head")


def migrate_main(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="careroute migrate", description=migrate.__doc__).parse_args(argv)
    setup_logging()
    wait_for_services()
    migrate()
    print("database schema is up to date")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="careroute serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=int, default=2, help="web worker processes (one per core suits ingest)"
    )
    parser.add_argument(
        "--no-job-worker", action="store_true", help="do not start a planning job worker"
    )
    args = parser.parse_args(argv)
    setup_logging()
    wait_for_services()
    migrate()
    job_worker = None
    if not args.no_job_worker:
        job_worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"])
    try:
        import uvicorn

        uvicorn.run(
            "api.main:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            proxy_headers=True,
        )
    finally:
        if job_worker is not None:
            job_worker.terminate()
            job_worker.wait(timeout=10)
    return 0
