"""Supervisors' live view: `WS /api/live/ws?office_id=..&token=<JWT>` (or the
pages' login cookie instead of `token`).

On connect the socket sends one snapshot, then forwards the office's changes as they happen:
    {"type": "snapshot", "office_id", "positions": [{worker_id, t, lat, lon, accuracy,
     battery, speed, seen (epoch ms received)}], "visits": [visit facts of today]}
    {"type": "positions", "recv": epoch ms, "items": [position, ...]}
    {"type": "visit", "recv": ..., "visit": {...}}
    {"type": "plan", "recv": ..., "worker_id": ..., "change": {...}}
Only the office's supervisors, its region's managers and admins may watch it: a field worker
never sees colleagues live. Refusals close the socket with code 4401 (bad token) or 4403 (a field
worker's login, or an office out of reach).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, HTTPException, Query, WebSocket
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from core.db import session_factory
from core.deps import socket_token, user_from_token
from core.models import Role
from core.settings import get_settings
from registry.access import can_see_office
from tracking import visits
from tracking.live import OFFICE_CHANNEL, hub, latest_positions

router = APIRouter(tags=["live"])

WATCHERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
QUEUE_SIZE = 500  # messages a slow supervisor's socket may lag behind before losing old ones


def _check_and_visits(token: str | None, office_id: int) -> list[dict[str, Any]]:
    """Authorise the supervisor and read today's visit facts (a short session of its own)."""
    with session_factory()() as session:
        user = user_from_token(session, token)
        if user.role not in WATCHERS:
            raise HTTPException(403, detail="not allowed for your role")
        if not can_see_office(session, user, office_id):
            raise HTTPException(403, detail="office out of reach")
        today = datetime.now(ZoneInfo(get_settings().timezone)).date()
        return [
            visits.as_json(v)
            for v in visits.visits_of_office(session, office_id=office_id, day=today)
        ]


@router.websocket("/api/live/ws")
async def live_socket(
    websocket: WebSocket, office_id: int = Query(...), token: str = Query("")
) -> None:
    await websocket.accept()
    try:
        token_used = socket_token(websocket, token)
        today_visits = await run_in_threadpool(_check_and_visits, token_used, office_id)
    except HTTPException as exc:
        await websocket.send_json({"type": "error", "detail": exc.detail})
        await websocket.close(code=4000 + exc.status_code)
        return
    channel = OFFICE_CHANNEL.format(office_id)
    queue: asyncio.Queue[str] = asyncio.Queue(maxsize=QUEUE_SIZE)
    live_hub = hub()
    live_hub.register(channel, queue)  # before the snapshot, so nothing falls in between
    try:
        positions = await latest_positions(live_hub.client, office_id)
        snapshot = {
            "type": "snapshot",
            "office_id": office_id,
            "positions": positions,
            "visits": today_visits,
        }
        await websocket.send_text(orjson.dumps(snapshot).decode())
        forward = asyncio.create_task(_forward(websocket, queue))
        try:
            while True:  # the supervisor's page may send pings to keep the socket alive
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            forward.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await forward
    finally:
        live_hub.unregister(channel, queue)


async def _forward(websocket: WebSocket, queue: asyncio.Queue[str]) -> None:
    while True:
        data = await queue.get()
        await websocket.send_text(data)
