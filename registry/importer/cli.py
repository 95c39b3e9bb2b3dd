"""`careroute import`: clients, workers or care plans from a file into an office."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import db
from registry.geocode import geocoder_from_settings
from registry.importer.read import ImportFileError, ImportKind, ImportMode
from registry.importer.service import run_import
from registry.offices import RegistryError


def main(argv: list[str] | None = None) -> int:
    """`careroute import --office ID --kind clients FILE`: 0 when imported, 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="careroute import", description="Import clients, workers or care plans into an office."
    )
    parser.add_argument("--office", type=int, required=True, help="the office's id")
    parser.add_argument("--kind", choices=[k.value for k in ImportKind], required=True)
    parser.add_argument(
        "--good-rows", action="store_true", help="write the good rows, skip the bad"
    )
    parser.add_argument("--check", action="store_true", help="check every row, write nothing")
    parser.add_argument("file", type=Path, help="a .csv, .xlsx or .geojson file")
    args = parser.parse_args(argv)
    mode = (
        ImportMode.CHECK
        if args.check
        else (ImportMode.GOOD_ROWS if args.good_rows else ImportMode.ALL)
    )
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2

    try:
        with db.session_scope() as session:
            report = run_import(
                session,
                user=None,
                office_id=args.office,
                kind=ImportKind(args.kind),
                data=data,
                filename=args.file.name,
                mode=mode,
                geocoder=geocoder_from_settings(session),
            )
    except (ImportFileError, RegistryError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    for error in report.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print(
        f"{args.file}: {report.rows} rows, {report.written} written"
        + (f", {len(report.skipped_rows)} skipped" if report.skipped_rows else "")
        + (f", {report.needs_location} need a location on the map" if report.needs_location else "")
    )
    return 0 if report.ok or (mode == ImportMode.GOOD_ROWS and report.written) else 2
