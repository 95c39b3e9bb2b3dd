"""The worker-facing HTTP and websocket endpoints (shapes in the package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.websockets import WebSocketDisconnect

from core.db import session_factory
from core.deps import SessionDep
from mobile_gateway import route
from mobile_gateway.deps import CurrentWorker, SyncDevice, app_device, owntracks_device
from mobile_gateway.sync import BatchTooLarge, BatchUnreadable, process_batch
from tracking import devices, ingest
from tracking.devices import DeviceContext, DeviceRefused
from tracking.live import WORKER_CHANNEL, hub
from tracking.protocols import DecodeError, decode_osmand, decode_owntracks
from tracking.schemas import DeviceIssued, DeviceOut

router = APIRouter()

READY_WAIT_S = 5.0  # the worker socket waits this long for the live subscription before "ready"


def _json(content: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type="application/json")


async def _received_ms() -> int:
    """The instant of receipt (epoch ms) that live messages carry; list it first among an
    endpoint's parameters so it is taken before the other dependencies run."""
    return int(time.time() * 1000)


async def _body(request: Request) -> bytes:
    return await request.body()


Body = Annotated[bytes, Depends(_body)]
ReceivedMs = Annotated[int, Depends(_received_ms)]


# --- devices ---------------------------------------------------------------------------------


class DeviceIn(BaseModel):
    name: str = Field("", max_length=120)
    platform: str = Field("web", pattern="^(web|osmand|owntracks|other)$")
    external_id: str | None = Field(None, min_length=4, max_length=80)


@router.post("/api/me/devices", status_code=201, tags=["mobile"])
def register_device(data: DeviceIn, worker: CurrentWorker, session: SessionDep) -> DeviceIssued:
    """Register this phone or browser; the answer holds its token, shown only once."""
    device, token = devices.register_device(
        session, worker=worker, name=data.name, platform=data.platform, external_id=data.external_id
    )
    session.refresh(device)
    return DeviceIssued(**devices.device_json(device, token))


@router.get("/api/me/devices", tags=["mobile"])
def my_devices(worker: CurrentWorker, session: SessionDep) -> list[DeviceOut]:
    return [
        DeviceOut(**devices.device_json(d))
        for d in devices.list_devices(session, worker_id=worker.id)
    ]


# --- the worker's day --------------------------------------------------------------------------


@router.get("/api/me/route", tags=["mobile"])
def my_route(worker: CurrentWorker, session: SessionDep, day: date | None = None) -> dict[str, Any]:
    """Today's (or `day`'s) approved route with each stop's client card and status."""
    return route.route_of(session, worker=worker, day=day)


@router.get("/api/me/clients/{client_id}", tags=["mobile"])
def my_client(client_id: int, worker: CurrentWorker, session: SessionDep) -> dict[str, Any]:
    card = route.client_card(session, worker=worker, client_id=client_id)
    if card is None:
        raise HTTPException(404, detail="client not found")
    return card


# --- ingest: our batch ---------------------------------------------------------------------


@router.post("/api/mobile/sync", tags=["mobile"])
def sync(received: ReceivedMs, device: SyncDevice, body: Body, session: SessionDep) -> Response:
    """Store a batch of pings and visit events; answers per item."""
    try:
        payload = orjson.loads(body)
        answer = process_batch(
            session, device=device, body=payload, source="sync", received_ms=received
        )
    except BatchTooLarge as exc:
        return _json({"detail": str(exc)}, 413)
    except (orjson.JSONDecodeError, BatchUnreadable) as exc:
        return _json({"detail": f"invalid batch: {exc}"}, 422)
    return _json(answer)


# --- ingest: OsmAnd (Traccar Client) and OwnTracks -----------------------------------------


def _osmand_fields(request: Request, body: bytes) -> Any:
    if request.query_params:
        return dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        return orjson.loads(body)
    return dict(parse_qsl(body.decode("utf-8", "replace")))


@router.get("/api/gps/osmand", tags=["gps"], operation_id="osmand_get")
@router.post("/api/gps/osmand", tags=["gps"], operation_id="osmand_post")
def osmand(received: ReceivedMs, request: Request, body: Body, session: SessionDep) -> Response:
    """OsmAnd protocol as Traccar Client sends it (query, form or JSON body): the device
    identifier is the device token, or a bound identifier with `token`."""
    try:
        fix = decode_osmand(
            _osmand_fields(request, body), received=datetime.fromtimestamp(received / 1000, UTC)
        )
    except (DecodeError, orjson.JSONDecodeError) as exc:
        return _json({"detail": f"unreadable position: {exc}"}, 400)
    if not fix.identifier and not fix.token:
        return _json({"detail": "device id required"}, 400)
    device = app_device(request, session, identifier=fix.identifier, token=fix.token)
    result = ingest.receive_batch(
        session, device=device, pings=[fix.ping], source="osmand", received_ms=received
    )
    # 200 even for a refused fix (it is recorded): resending it would not help, and the app
    # retries on errors
    return _json(result.pings.verdicts[0].as_json())


@router.post("/api/gps/owntracks", tags=["gps"])
def owntracks(
    received: ReceivedMs,
    body: Body,
    session: SessionDep,
    device: Annotated[DeviceContext, Depends(owntracks_device)],
) -> Response:
    """OwnTracks HTTP mode; answers `[]` (no friends' positions to share). A refused fix is
    recorded and counted like any other (the app would only resend it)."""
    try:
        raw = decode_owntracks(orjson.loads(body))
    except (DecodeError, orjson.JSONDecodeError) as exc:
        return _json({"detail": f"unreadable message: {exc}"}, 400)
    if raw is not None:
        ingest.receive_batch(
            session, device=device, pings=[raw], source="owntracks", received_ms=received
        )
    return _json([])


# --- the worker's websocket ----------------------------------------------------------------


def _ws_device(token: str) -> DeviceContext:
    with session_factory()() as session:
        return devices.by_token(session, token=token)


def _ws_batch(device: DeviceContext, payload: Any, received_ms: int) -> dict[str, Any]:
    with session_factory()() as session:
        return process_batch(
            session, device=device, body=payload, source="ws", received_ms=received_ms
        )


@router.websocket("/api/mobile/ws")
async def worker_socket(websocket: WebSocket, token: str = Query("")) -> None:
    """Live pings and events in (same shape as a sync batch), plan changes out."""
    await websocket.accept()
    try:
        device = await run_in_threadpool(_ws_device, token)
    except DeviceRefused as exc:
        await websocket.send_json({"type": "error", "detail": exc.message})
        await websocket.close(code=4000 + exc.status)
        return
    channel = WORKER_CHANNEL.format(device.worker_id)
    queue: asyncio.Queue[str] = asyncio.Queue(maxsize=100)
    hub().register(channel, queue)
    # "ready" once the process listens on Redis: a change published from now on reaches
    # this phone (one published while it was away is read by reloading the route).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(hub().connected.wait(), timeout=READY_WAIT_S)
    await websocket.send_json({"type": "ready", "listening": hub().connected.is_set()})
    pusher = asyncio.create_task(_push(websocket, queue))
    try:
        while True:
            message = await websocket.receive_text()
            received = int(time.time() * 1000)
            try:
                payload = orjson.loads(message)
                if isinstance(payload, dict) and "pings" not in payload and "events" not in payload:
                    payload = {"pings": [payload]}  # a single ping
                answer = await run_in_threadpool(_ws_batch, device, payload, received)
                await websocket.send_text(orjson.dumps({"type": "ack", **answer}).decode())
            except (orjson.JSONDecodeError, BatchUnreadable) as exc:
                await websocket.send_json({"type": "error", "detail": str(exc)})
            except Exception as exc:  # database down: the phone keeps its queue and resends
                await websocket.send_json(
                    {"type": "error", "detail": "not stored, resend later", "retry": True}
                )
                if "OperationalError" not in type(exc).__name__:
                    raise
    except WebSocketDisconnect:
        pass
    finally:
        hub().unregister(channel, queue)
        pusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pusher


async def _push(websocket: WebSocket, queue: asyncio.Queue[str]) -> None:
    while True:
        data = await queue.get()
        await websocket.send_text(data)
