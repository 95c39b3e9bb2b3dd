"""All settings in one place, read from the environment (or a `.env` file).

Every setting has a safe default that points at the local services the project starts itself
(`infra/services.sh`). There is no default secret: unless `SECRET_KEY` is set, a random one is
made on first start and kept in the data directory (readable by its owner only).
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret_key"
MIN_SECRET_LENGTH = 32


def default_data_dir() -> str:
    """Where the platform keeps its files, as infra/common.sh chooses it."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return "/var/lib/careroute"
    return str(Path.home() / ".local" / "share" / "careroute")


def stored_secret(data_dir: Path) -> str:
    """The secret kept in `data_dir`, made (random, mode 0600) if there is none yet.

    Written to a private temporary file and linked into place, so processes starting together
    all end up with the one secret that won and nobody reads a half-written file."""
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        temporary.unlink()
    return path.read_text().strip()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="development / test / production; production refuses dev secrets"
    )
    database_url: str = Field(
        "postgresql+psycopg://careroute:careroute@127.0.0.1:54329/careroute",
        description="SQLAlchemy URL of the PostgreSQL+PostGIS database",
    )
    redis_url: str = Field("redis://127.0.0.1:63799/0", description="Redis for live data and jobs")
    data_dir: str = Field(
        default_factory=default_data_dir,
        validation_alias=AliasChoices("careroute_data_dir", "data_dir"),
        description="the platform's files (the generated secret key); CAREROUTE_DATA_DIR",
    )
    secret_key: str = Field(
        "",
        description="signs access tokens; empty: a random key made on first start and kept in "
        "data_dir/secret_key (mode 0600)",
    )
    access_token_minutes: int = Field(12 * 60, description="how long a login token lasts")
    default_locale: Literal["ru", "en"] = Field("ru", description="language of the web pages")
    timezone: str = Field("Europe/Moscow", description="offices' local time zone")
    log_level: str = Field("INFO", description="DEBUG / INFO / WARNING / ERROR")
    log_json: bool = Field(True, description="one JSON object per log line")
    geocoder: Literal["none", "nominatim"] = Field(
        "none", description="geocoder for addresses without coordinates"
    )
    nominatim_url: str = Field(
        "https://nominatim.openstreetmap.org", description="Nominatim base URL (when enabled)"
    )
    nominatim_user_agent: str = Field("careroute", description="User-Agent sent to Nominatim")
    map_tiles_url: str = Field(
        "", description="XYZ tile URL template for the maps; empty: no tiles (works offline)"
    )
    map_tiles_attribution: str = Field("", description="attribution shown with the tiles")
    basemap_geojson: str = Field(
        "",
        description="GeoJSON file of streets (LineStrings with a `name`) drawn on the maps when "
        "map_tiles_url is empty; empty: the demo district's streets",
    )
    ping_retention_days: int = Field(400, description="days of GPS pings kept; older are dropped")
    ping_max_accuracy_m: float = Field(
        100.0, description="pings less accurate are kept but flagged"
    )
    ping_max_age_days: int = Field(7, description="pings older than this are refused")
    ping_future_skew_s: int = Field(120, description="allowed clock skew into the future")
    geofence_m: float = Field(150.0, description="visit events farther from the client are flagged")
    track_outside_shift: bool = Field(False, description="store pings outside shift hours")
    osrm_url: str = Field(
        "", description="OSRM server for street travel times; empty: straight line"
    )
    maintenance_interval_s: int = Field(
        300, description="seconds between upkeep passes (partitions, retention, inference); 0: off"
    )
    plan_time_limit_s: float = Field(10.0, description="solver time limit per office and day")

    login_max_failures: int = Field(
        5, description="wrong passwords for one account or address before logins are slowed"
    )
    login_backoff_s: int = Field(
        30, description="first wait after too many wrong passwords; doubles with each more one"
    )
    login_backoff_max_s: int = Field(900, description="longest wait between login attempts")
    past_client_days: int = Field(
        14,
        description="days a worker still reaches a client after their last approved visit",
    )

    @model_validator(mode="after")
    def _secret(self) -> Settings:
        if not self.secret_key:
            self.secret_key = stored_secret(Path(self.data_dir))
        if len(self.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
