"""Addresses -> coordinates, for clients registered without them.

`Geocoder` is the extension point: anything with `geocode(address) -> (lon, lat) | None`.
`NominatimGeocoder` asks a Nominatim server through geopy (at most one request a second, as the
public server's policy asks); `CachedGeocoder` keeps every definite answer, found or not, in the
`geocode_cache` table so an address is looked up once. With `settings.geocoder == "none"` there
is no geocoder and such clients wait with location status needs_location for the supervisor to
place them on the map.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Protocol
from urllib.parse import urlparse

from sqlalchemy.orm import Session

from core.settings import Settings, get_settings
from registry.models import GeocodeCache

log = logging.getLogger("careroute.geocode")

LonLatPair = tuple[float, float]


class GeocoderUnavailable(Exception):
    """The geocoding service could not answer now (network, quota): try again later."""


class Geocoder(Protocol):
    name: str

    def geocode(self, address: str) -> LonLatPair | None:
        """(lon, lat) of the address, None if not found; GeocoderUnavailable if unreachable."""
        ...


def normalise(address: str) -> str:
    """The cache key: lower case, single spaces, at most 300 characters."""
    return re.sub(r"\s+", " ", address).strip().lower()[:300]


class NominatimGeocoder:
    """Nominatim (OpenStreetMap) through geopy, one request a second at most."""

    name = "nominatim"

    def __init__(
        self, url: str, user_agent: str, *, timeout_s: float = 10.0, min_interval_s: float = 1.0
    ) -> None:
        from geopy.geocoders import Nominatim

        parts = urlparse(url)
        self._client = Nominatim(
            user_agent=user_agent,
            domain=(parts.netloc + parts.path).rstrip("/"),
            scheme=parts.scheme or "https",
            timeout=timeout_s,
        )
        self._min_interval_s = min_interval_s  # the public server allows one request a second
        self._last_call = 0.0

    def geocode(self, address: str) -> LonLatPair | None:
        from geopy.exc import GeopyError

        wait = self._min_interval_s - (time.monotonic() - self._last_call)
        if wait > 0:
            time.sleep(wait)
        try:
            found = self._client.geocode(address, exactly_one=True)
        except GeopyError as exc:
            raise GeocoderUnavailable(str(exc)) from exc
        finally:
            self._last_call = time.monotonic()
        return None if found is None else (found.longitude, found.latitude)


class CachedGeocoder:
    """Looks the address up in `geocode_cache` first; stores what the inner geocoder says.

    A service failure is not cached and counts as not found, so the client is registered with
    needs_location rather than the whole import failing."""

    def __init__(self, inner: Geocoder, session: Session) -> None:
        self.inner, self.session = inner, session
        self.name = inner.name

    def geocode(self, address: str) -> LonLatPair | None:
        key = normalise(address)
        if not key:
            return None
        cached = self.session.get(GeocodeCache, key)
        if cached is not None:
            return None if cached.lon is None or cached.lat is None else (cached.lon, cached.lat)
        try:
            found = self.inner.geocode(address)
        except GeocoderUnavailable as exc:
            log.warning("geocoder unavailable", extra={"provider": self.name, "error": str(exc)})
            return None
        if found is not None and not (-180 <= found[0] <= 180 and -90 <= found[1] <= 90):
            found = None  # a provider's nonsense is as good as no answer
        lon, lat = found if found else (None, None)
        self.session.add(GeocodeCache(query=key, lon=lon, lat=lat, provider=self.name))
        self.session.flush()
        return found


def geocoder_from_settings(session: Session, settings: Settings | None = None) -> Geocoder | None:
    """The configured geocoder, wrapped in the cache; None when geocoding is off."""
    settings = settings or get_settings()
    if settings.geocoder != "nominatim":
        return None
    inner = NominatimGeocoder(settings.nominatim_url, settings.nominatim_user_agent)
    return CachedGeocoder(inner, session)
