"""The CareRoute web application: the API, the live websockets and the web pages."""

from __future__ import annotations

import importlib
import logging
import time

from fastapi import FastAPI, Request

from api.errors import install_error_handlers
from api.routes import auth, health
from core.logging import setup_logging

log = logging.getLogger("careroute.http")

# Routers of the other packages, in the order their paths should match.
ROUTER_MODULES = [
    "api.routes.registry",
    "api.routes.imports",
    "api.routes.audit",
    "api.routes.zones",
    "api.routes.plans",
    "api.routes.reports",
    "api.routes.live",
    "mobile_gateway.router",
    "api.routes.pages",
]


def _include_routers(app: FastAPI) -> None:
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # that part of the platform is not installed in this build
        app.include_router(module.router)


def create_app() -> FastAPI:
    setup_logging()
    app = FastAPI(
        title="CareRoute",
        description="Planning, tracking and reporting for home social care in the field.",
        version="0.1.0",
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    _include_routers(app)

    @app.middleware("http")
    async def access_log(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = await call_next(request)
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    return app


app = create_app()
