"""Prepare OSRM routing data from an OpenStreetMap extract, once, and cache it.

`build_osrm(pbf, "foot", cache_dir)` runs OSRM's extract -> partition -> customize pipeline
(the MLD algorithm: no contraction step, and the same data answers table queries fast) with the
executables and Lua profiles that ship inside the `osrm-bindings` wheel, and returns the path of
the `.osrm` base file to open with `open_osrm`. The result is cached under
`cache_dir/<key>/` where the key hashes the extract's bytes, the profile script and the OSRM
version, so a second call with the same inputs returns at once and a changed extract or profile
builds afresh. Builds go to a temporary folder renamed into place when complete, so a crashed or
concurrent build never leaves a half-written cache behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "careroute" / "osrm"
PROFILES = ("foot", "car")


class OsrmBuildError(RuntimeError):
    """An OSRM preparation step failed; the message holds the tool's last output lines."""


def osrm_package_dir() -> Path:
    """Where the `osrm` package lives (its bin/ and share/profiles/ folders)."""
    import osrm  # the compiled bindings; imported lazily so this module loads without them

    return Path(osrm.__file__).parent


def profile_path(profile: str) -> Path:
    """A profile name ('foot', 'car') from the wheel, or a path to a custom .lua profile."""
    if profile.endswith(".lua"):
        path = Path(profile)
    else:
        path = osrm_package_dir() / "share" / "profiles" / f"{profile}.lua"
    if not path.is_file():
        raise FileNotFoundError(f"OSRM profile not found: {path}")
    return path


def cache_key(pbf_path: Path, profile: Path) -> str:
    """Hash of the extract, the profile script and the OSRM version (the data format)."""
    digest = hashlib.sha256()
    with pbf_path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    digest.update(profile.read_bytes())
    digest.update(metadata.version("osrm-bindings").encode())
    return f"{profile.stem}-{digest.hexdigest()[:20]}"


def build_osrm(
    pbf_path: str | Path,
    profile: str = "foot",
    cache_dir: str | Path | None = None,
    threads: int = 2,
) -> Path:
    """Prepared MLD data for `pbf_path` with `profile`; builds only when not cached yet."""
    pbf = Path(pbf_path).resolve()
    if not pbf.is_file():
        raise FileNotFoundError(f"OpenStreetMap extract not found: {pbf}")
    lua = profile_path(profile)
    root = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
    target = root / cache_key(pbf, lua)
    base = target / "map.osrm"
    if (target / "complete").is_file():
        return base

    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        shutil.copyfile(pbf, work / "map.osm.pbf")
        log.info("building OSRM %s data for %s in %s", lua.stem, pbf.name, target)
        _run("osrm-extract", "-p", str(lua), "-t", str(threads), "map.osm.pbf", cwd=work)
        _run("osrm-partition", "-t", str(threads), "map.osrm", cwd=work)
        _run("osrm-customize", "-t", str(threads), "map.osrm", cwd=work)
        (work / "map.osm.pbf").unlink()
        (work / "complete").write_text(pbf.name + "\n")
        try:
            work.rename(target)
        except OSError:  # another process finished the same build first: use theirs
            if not (target / "complete").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return base


def open_osrm(base: Path) -> Any:
    """An in-process OSRM engine over prepared MLD data (no shared memory, no server)."""
    import osrm

    return osrm.OSRM(storage_config=str(base), algorithm="MLD", use_shared_memory=False)


def _run(tool: str, *args: str, cwd: Path) -> None:
    exe = osrm_package_dir() / "bin" / tool
    done = subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-10:])
        raise OsrmBuildError(f"{tool} failed (exit {done.returncode}):\n{tail}")


def main(argv: list[str] | None = None) -> int:
    """`careroute osrm-build EXTRACT.osm.pbf [--profile foot --profile car] [--cache-dir DIR]`."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="careroute osrm-build",
        description="Build (or find in the cache) OSRM street data for `plan --travel osrm`.",
    )
    parser.add_argument("pbf", type=Path, help="OpenStreetMap extract (.osm.pbf)")
    parser.add_argument(
        "--profile", action="append", help="foot, car or a .lua file (default: foot and car)"
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    for profile in args.profile or PROFILES:
        try:
            base = build_osrm(args.pbf, profile, args.cache_dir, args.threads)
        except (OSError, OsrmBuildError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        print(f"{profile}: {base}")
    return 0
