"""The API documentation renders with the network cut: Swagger UI and ReDoc come from the
project's own npm packages, served locally, never from a CDN."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _cut_network(page: Any) -> list[str]:
    """Abort every request that leaves this machine; returns the list of what was refused."""
    refused: list[str] = []

    def route(request_route: Any) -> None:
        host = urlparse(request_route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    return refused


def test_docs_and_redoc_render_offline(context: Any, server: str, artifacts: Path) -> None:
    page = context.new_page()
    refused = _cut_network(page)
    page.goto("/docs")
    # An operation of the API, drawn by Swagger UI (the bundle ran and read /openapi.json).
    # (the schema of the whole API is built on the first call: seconds on a busy machine)
    page.wait_for_selector(".opblock-summary-path:has-text('/api/auth/token')", timeout=60_000)
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(artifacts / "docs-offline.png"))
    assert refused == [], refused

    page.goto("/redoc")
    page.wait_for_selector("h1:has-text('CareRoute')", timeout=60_000)
    page.wait_for_selector("[data-section-id^='tag/']", timeout=60_000)
    page.screenshot(path=str(artifacts / "redoc-offline.png"))
    # ReDoc's "powered by" logo is an <img> that hides itself when the CDN is out of reach;
    # nothing else may leave the machine.
    assert set(refused) <= {REDOC_LOGO}, refused
