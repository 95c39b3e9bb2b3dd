"""Supervisors' endpoints about tracking: workers' devices, visit facts, travel speeds."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import OfficeReader, SupervisorOf
from core.deps import EditorUser, SessionDep, StaffUser
from registry.access import can_edit_office, can_see_office
from registry.models import Worker
from tracking import calibration, devices, inference, visits
from tracking.schemas import DeviceOut, TravelSpeed, VisitFact

router = APIRouter(tags=["tracking"])


def _worker_in_reach(session: SessionDep, user: Any, worker_id: int, *, edit: bool) -> Worker:
    worker = session.get(Worker, worker_id)
    allowed = can_edit_office if edit else can_see_office
    if worker is None or not allowed(session, user, worker.office_id):
        raise HTTPException(404, detail="worker not found")
    return worker


@router.get("/api/workers/{worker_id}/devices")
def worker_devices(worker_id: int, user: StaffUser, session: SessionDep) -> list[DeviceOut]:
    _worker_in_reach(session, user, worker_id, edit=False)
    return [
        DeviceOut(**devices.device_json(d))
        for d in devices.list_devices(session, worker_id=worker_id)
    ]


@router.post("/api/devices/{device_id}/revoke")
def revoke_device(device_id: int, user: EditorUser, session: SessionDep) -> DeviceOut:
    device = devices.get_device(session, device_id=device_id)
    if device is None:
        raise HTTPException(404, detail="device not found")
    worker = _worker_in_reach(session, user, device.worker_id, edit=True)
    revoked = devices.revoke_device(session, device=device, user=user, office_id=worker.office_id)
    return DeviceOut(**devices.device_json(revoked))


@router.get("/api/offices/{office_id}/visits")
def office_visits(
    office_id: int, day: date, user: OfficeReader, session: SessionDep
) -> list[VisitFact]:
    """Visit facts of the day: actual arrival/departure, their source and flags."""
    return [
        VisitFact(**visits.as_json(v))
        for v in visits.visits_of_office(session, office_id=office_id, day=day)
    ]


@router.post("/api/offices/{office_id}/inference")
def run_inference(
    office_id: int, day: date, user: SupervisorOf, session: SessionDep
) -> dict[str, int]:
    """Infer arrivals, departures and travel legs of the office's day from the pings."""
    return inference.infer_office_day(session, office_id=office_id, day=day)


@router.get("/api/offices/{office_id}/travel-speeds")
def travel_speeds(
    office_id: int, user: OfficeReader, session: SessionDep
) -> dict[str, TravelSpeed]:
    """Measured speed (km/h) and detour factor per travel mode, for the planner."""
    speeds = calibration.travel_speeds(session, office_id)
    return {
        mode: TravelSpeed(speed_kmh=round(speed, 2), detour=round(detour, 3))
        for mode, (speed, detour) in speeds.items()
    }
