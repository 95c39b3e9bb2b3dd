"""The `careroute` command: one entry point that dispatches to each part of the platform.

Each subcommand lives with the code it runs; this module only routes argv to it, importing
lazily so `careroute plan` needs no database and `careroute serve` needs no solver warm-up.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

# name -> (module, function, one-line help). Each function takes argv and returns an exit code.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "serve": ("api.serve", "main", "run the web application (and a planning worker)"),
    "migrate": ("api.serve", "migrate_main", "bring the database schema up to date"),
    "create-admin": ("api.create_admin", "main", "create an administrator (a new installation)"),
    "demo": ("demo.cli", "main", "load the demo office (Perovo, Moscow) with its history"),
    "simulate": ("demo.simulate", "main", "walk today's approved routes, sending pings live"),
    "import": ("registry.importer.cli", "main", "import clients, workers or care plans"),
    "plan": ("planner.cli", "main", "plan a day from CSV/JSON files, without any server"),
    "plan-week": ("planner.week_cli", "main", "plan an office's week or month (drafts per day)"),
    "plan-region": ("planner.jobs", "main", "plan every office of a region on the job queue"),
    "worker": ("planner.jobs", "worker_main", "run a planning job worker (RQ)"),
    "osrm-build": ("planner.osrm", "main", "build OSRM street data from an .osm.pbf extract"),
    "tracking": ("tracking.cli", "main", "tracking upkeep: partitions, retention"),
}


def _usage() -> str:
    lines = ["usage: careroute <command> [options]", "", "commands:"]
    lines += [f"  {name:<12} {help_}" for name, (_, _, help_) in COMMANDS.items()]
    lines.append("\n`careroute <command> --help` tells more.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"careroute: unknown command '{name}'\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, function_name, _ = COMMANDS[name]
    function: Callable[[list[str]], int] = getattr(
        importlib.import_module(module_name), function_name
    )
    return int(function(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
