"""The CareRoute web application: the API, the live websockets and the web pages."""

from __future__ import annotations

import logging
import time

from fastapi import FastAPI, Request

from api.errors import install_error_handlers
from api.headers import SecurityHeaders
from api.maintenance import periodic_maintenance
from api.routes import (
    accounts,
    audit,
    auth,
    clients,
    dayops,
    field,
    health,
    imports,
    live,
    pages,
    plans,
    registry,
    reports,
    review,
    tracking,
    weeks,
    zones,
)
from core.logging import setup_logging
from mobile_gateway import router as mobile_gateway_router
from registry.access import use_caseload
from tracking.caseload import worker_client_ids

log = logging.getLogger("careroute.http")

# Every router, in the order their paths should match (pages last: they own "/").
ROUTERS = [
    health.router,
    auth.router,
    accounts.router,
    registry.router,
    clients.router,
    imports.router,
    audit.router,
    zones.router,
    plans.router,
    dayops.router,
    weeks.router,
    reports.router,
    live.router,
    field.router,
    review.router,
    tracking.router,
    mobile_gateway_router.router,
    clients.pages,
    pages.router,
]


def create_app() -> FastAPI:
    setup_logging()
    app = FastAPI(
        lifespan=lambda app: periodic_maintenance(),
        title="CareRoute",
        description="Planning, tracking and reporting for home social care in the field.",
        version="0.1.0",
        # /docs and /redoc are served by api/routes/pages.py from local assets (no CDN).
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    use_caseload(worker_client_ids)
    for router in ROUTERS:
        app.include_router(router)

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

    app.add_middleware(SecurityHeaders)
    return app


app = create_app()
