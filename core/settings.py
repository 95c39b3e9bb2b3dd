"""All settings in one place, read from the environment (or a `.env` file).

Every setting has a safe default that points at the local services the project starts itself
(`infra/services.sh`). Outside development a real secret key is required.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "development-only-secret-change-me-in-production"


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
    secret_key: str = Field(DEV_SECRET, description="signs access tokens; set a long random value")
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

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("SECRET_KEY must be set to a long random value in production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
