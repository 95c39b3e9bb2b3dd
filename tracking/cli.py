"""`careroute tracking ...`: upkeep of stored tracks from the command line.

- `careroute tracking partitions [--ahead N]`: daily ping partitions for the days pings may
  arrive for, and N days more;
- `careroute tracking drop-old [--retention-days N]`: drop the partitions older than the
  retention (default settings.ping_retention_days);
- `careroute tracking infer --office ID [--day YYYY-MM-DD]`: visits and travel legs of an
  office's day from its pings (default today);
- `careroute tracking maintain`: all of it once, as the app's periodic task would
  (`tracking.maintenance.run_once`).
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.db import session_scope
from core.logging import setup_logging
from core.settings import get_settings
from tracking import maintenance, partitions
from tracking.inference import infer_office_day


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careroute tracking", description="tracking upkeep: partitions, retention, inference"
    )
    actions = parser.add_subparsers(dest="action", required=True)
    made = actions.add_parser("partitions", help="create daily ping partitions ahead")
    made.add_argument("--ahead", type=int, default=maintenance.AHEAD_DAYS, metavar="N")
    old = actions.add_parser("drop-old", help="drop ping partitions older than the retention")
    old.add_argument("--retention-days", type=int, default=None, metavar="N")
    infer = actions.add_parser("infer", help="infer visits and travel legs of an office's day")
    infer.add_argument("--office", type=int, required=True, metavar="ID")
    infer.add_argument("--day", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    actions.add_parser("maintain", help="partitions, retention and inference, once")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging()
    if args.action == "partitions":
        count = maintenance.ensure_ahead(ahead_days=args.ahead)
        print(f"ping partitions ready: {count} days")
    elif args.action == "drop-old":
        dropped = partitions.drop_old_partitions(args.retention_days)
        print(f"dropped {len(dropped)} partitions: {', '.join(map(str, dropped)) or '-'}")
    elif args.action == "infer":
        day = args.day or datetime.now(ZoneInfo(get_settings().timezone)).date()
        with session_scope() as session:
            counted = infer_office_day(session, office_id=args.office, day=day)
        print(
            f"office {args.office}, {day}: {counted['workers']} workers, "
            f"{counted['visits']} visits seen in the pings"
        )
    else:
        with session_scope() as session:
            upkeep = maintenance.run_once(session)
        print(
            f"partitions: {upkeep.partitions} days; dropped: {len(upkeep.dropped)}; "
            f"office-days inferred: {len(upkeep.inferred)}; failed: {len(upkeep.failed)}"
        )
        return 1 if upkeep.failed else 0
    return 0
