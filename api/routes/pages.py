"""The web pages: login, the worker's phone page, the supervisor's map, and their static files.

Pages are plain HTML + ES modules (no build step) that talk only to the public JSON API.
Leaflet, Swagger UI and ReDoc come from the npm registry (`api/web/package.json`, installed by
`infra/install.sh`) and are served from here, so the maps and `/docs` work without internet.
Without a tile server the maps draw an offline basemap of streets (`GET /api/basemap`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from api.schemas import FeatureCollection
from core.errors import DomainError
from core.settings import get_settings

WEB = Path(__file__).resolve().parents[1] / "web"
LEAFLET = WEB / "node_modules" / "leaflet" / "dist"
SWAGGER_UI = WEB / "node_modules" / "swagger-ui-dist"
REDOC = WEB / "node_modules" / "redoc" / "bundles"
# The streets drawn under the maps when no basemap is configured (those of the demo district).
STREETS_FILE = WEB / "streets.json"

router = APIRouter(tags=["pages"])

# Pages must always show the newest code after a deploy; the service worker caches for offline.
_NO_CACHE = {"Cache-Control": "no-cache"}


class PageConfig(BaseModel):
    """What the pages need to know about this installation."""

    default_locale: str
    locales: list[str]
    map_tiles_url: str
    map_tiles_attribution: str
    timezone: str


@router.get("/api/config", response_model=PageConfig)
def page_config() -> PageConfig:
    settings = get_settings()
    return PageConfig(
        default_locale=settings.default_locale,
        locales=["ru", "en"],
        map_tiles_url=settings.map_tiles_url,
        map_tiles_attribution=settings.map_tiles_attribution,
        timezone=settings.timezone,
    )


@router.get(
    "/api/basemap", response_class=JSONResponse, responses={200: {"model": FeatureCollection}}
)
def basemap() -> JSONResponse:
    """Streets as GeoJSON LineStrings with names: the map's background when there are no tiles."""
    configured = get_settings().basemap_geojson
    path = Path(configured) if configured else STREETS_FILE
    if not path.is_file():
        raise DomainError(f"basemap file {path} not found", status=404)
    collection = _basemap(str(path), path.stat().st_mtime_ns)
    return JSONResponse(collection, headers={"Cache-Control": "max-age=3600"})


@lru_cache(maxsize=4)
def _basemap(path: str, mtime_ns: int) -> dict[str, Any]:
    """The file as a FeatureCollection, read once per change of the file (hence `mtime_ns`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        return data
    return _demo_streets(data)


def _demo_streets(data: dict[str, Any]) -> dict[str, Any]:
    """The demo's street list (`api/web/streets.json`) as GeoJSON."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": street["line"]},
            "properties": {"name": street["name"], "kind": street.get("kind", "")},
        }
        for street in data["streets"]
        if len(street.get("line", [])) >= 2
    ]
    return {"type": "FeatureCollection", "features": features}


def _page(name: str) -> FileResponse:
    return FileResponse(WEB / name, media_type="text/html", headers=_NO_CACHE)


@router.get("/", include_in_schema=False)
def login_page() -> FileResponse:
    return _page("login.html")


@router.get("/m/", include_in_schema=False)
def phone_page() -> FileResponse:
    return _page("phone.html")


@router.get("/m/sw.js", include_in_schema=False)
def phone_service_worker() -> FileResponse:
    """Served under /m/ so that its scope covers the phone page."""
    return FileResponse(WEB / "js" / "sw.js", media_type="text/javascript", headers=_NO_CACHE)


@router.get("/m/manifest.webmanifest", include_in_schema=False)
def phone_manifest() -> FileResponse:
    return FileResponse(WEB / "manifest.webmanifest", media_type="application/manifest+json")


@router.get("/supervisor/", include_in_schema=False)
def supervisor_page() -> FileResponse:
    return _page("supervisor.html")


@router.get("/admin/", include_in_schema=False)
def admin_page() -> FileResponse:
    """The administrator's page: the organisation's regions and departments, and the logins."""
    return _page("admin.html")


@router.get("/office/", include_in_schema=False)
def office_page() -> FileResponse:
    """A department's registers: the service catalogue, workers, their devices, imports."""
    return _page("office.html")


@router.get("/account/", include_in_schema=False)
def account_page() -> FileResponse:
    """One's own login: change the password."""
    return _page("account.html")


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    """The interactive API documentation, from the local Swagger UI assets."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="CareRoute API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
        oauth2_redirect_url="/docs/oauth2-redirect",
    )


@router.get("/docs/oauth2-redirect", include_in_schema=False)
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    """The API reference, from the local ReDoc bundle (no web fonts)."""
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="CareRoute API",
        redoc_js_url="/static/vendor/redoc/redoc.standalone.js",
        redoc_favicon_url="/static/favicon.svg",
        with_google_fonts=False,
    )


# The vendor mounts come first: "/static" would otherwise swallow it.
router.mount(
    "/static/vendor/leaflet", StaticFiles(directory=LEAFLET, check_dir=False), name="leaflet"
)
router.mount(
    "/static/vendor/swagger-ui",
    StaticFiles(directory=SWAGGER_UI, check_dir=False),
    name="swagger-ui",
)
router.mount("/static/vendor/redoc", StaticFiles(directory=REDOC, check_dir=False), name="redoc")
router.mount("/static", StaticFiles(directory=WEB, check_dir=False), name="static")
