"""Registry services for workers: their skills, travel mode, start/end points, weekly shift
template, absences and login. Staff only; every change goes to the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import Role, User
from registry.models import Worker, WorkerAbsence, WorkerShift
from registry.offices import (
    NotFound,
    RegistryError,
    lonlat_of,
    office_object,
    office_to_edit,
    office_to_read,
    page,
    point_from,
)
from registry.schemas.fields import Page
from registry.schemas.workers import (
    AbsenceIn,
    AbsenceOut,
    ShiftIn,
    ShiftOut,
    WorkerIn,
    WorkerOut,
    WorkerUpdate,
)


def worker_out(worker: Worker) -> WorkerOut:
    return WorkerOut(
        id=worker.id,
        office_id=worker.office_id,
        user_id=worker.user_id,
        full_name=worker.full_name,
        phone=worker.phone,
        position=worker.position,
        skills=list(worker.skills or []),
        travel_mode=worker.travel_mode,
        start_location=lonlat_of(worker.start_location),
        end_location=lonlat_of(worker.end_location),
        weekly_hours=worker.weekly_hours,
        max_minutes_per_day=worker.max_minutes_per_day,
        active=worker.active,
        shifts=[ShiftOut.model_validate(s, from_attributes=True) for s in worker.shifts],
        absences=[AbsenceOut.model_validate(a, from_attributes=True) for a in worker.absences],
    )


def list_workers(
    session: Session,
    *,
    user: User,
    office_id: int,
    q: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> Page[WorkerOut]:
    """An office's workers by name; `q` searches the name."""
    office_to_read(session, user=user, office_id=office_id)
    query = select(Worker).where(Worker.office_id == office_id).order_by(Worker.full_name)
    if q:
        query = query.where(Worker.full_name.ilike(f"%{q}%"))
    if active is not None:
        query = query.where(Worker.active == active)
    return page(session, query, limit=limit, offset=offset, convert=worker_out)


def worker_to_read(session: Session, *, user: User, worker_id: int) -> Worker:
    return office_object(session, Worker, worker_id, user=user, edit=False, what="worker")


def worker_to_edit(session: Session, *, user: User, worker_id: int) -> Worker:
    return office_object(session, Worker, worker_id, user=user, edit=True, what="worker")


def _check_login(session: Session, *, user_id: int | None, worker_id: int | None) -> None:
    """A worker's login must be a user with role worker, not linked to another worker."""
    if user_id is None:
        return
    login = session.get(User, user_id)
    if login is None or login.role != Role.WORKER:
        raise RegistryError("no login with role worker has this id", field="user_id")
    taken = session.scalar(select(Worker.id).where(Worker.user_id == user_id))
    if taken is not None and taken != worker_id:
        raise RegistryError("this login belongs to another worker", status=409, field="user_id")


def _shifts(shifts: list[ShiftIn]) -> list[WorkerShift]:
    return [WorkerShift(**s.model_dump()) for s in shifts]


def snapshot(worker: Worker) -> dict[str, Any]:
    """The worker's fields as the audit log compares them."""
    out = worker_out(worker).model_dump(mode="json", exclude={"id", "absences"})
    out["shifts"] = [f"{s['weekday']} {s['start']}-{s['end']}" for s in out["shifts"]]
    return out


def create_worker(session: Session, *, user: User | None, office_id: int, data: WorkerIn) -> Worker:
    """Adds a worker with their weekly shift template to an office."""
    office_to_edit(session, user=user, office_id=office_id)
    _check_login(session, user_id=data.user_id, worker_id=None)
    fields = data.model_dump(exclude={"start_location", "end_location", "shifts"})
    worker = Worker(
        office_id=office_id,
        start_location=point_from(data.start_location),
        end_location=point_from(data.end_location),
        **fields,
    )
    worker.shifts = _shifts(data.shifts)
    session.add(worker)
    session.flush()
    _record(session, user=user, worker=worker, action="create", before={})
    return worker


def update_worker(session: Session, *, user: User, worker_id: int, data: WorkerUpdate) -> Worker:
    """Changes the fields sent; `shifts`, when sent, replaces the whole weekly template."""
    worker = worker_to_edit(session, user=user, worker_id=worker_id)
    sent = data.model_dump(exclude_unset=True)
    for key in ("full_name", "travel_mode", "weekly_hours", "active", "skills", "shifts"):
        if key in sent and sent[key] is None:
            raise RegistryError(f"{key} cannot be empty", field=key)
    if "user_id" in sent:
        _check_login(session, user_id=data.user_id, worker_id=worker.id)
    before = snapshot(worker)
    for key, value in sent.items():
        if key in ("start_location", "end_location"):
            setattr(worker, key, point_from(getattr(data, key)))
        elif key == "shifts":
            # the old rows go first: the unit of work inserts before it deletes, and a new
            # row for the same weekday would break the unique (worker, weekday) key
            worker.shifts = []
            session.flush()
            worker.shifts = _shifts(data.shifts or [])
        else:
            setattr(worker, key, value)
    session.flush()
    _record(session, user=user, worker=worker, action="update", before=before)
    return worker


def deactivate_worker(session: Session, *, user: User, worker_id: int) -> Worker:
    """Marks a worker inactive: plans and reports keep their history, new plans skip them."""
    worker = worker_to_edit(session, user=user, worker_id=worker_id)
    before = snapshot(worker)
    worker.active = False
    session.flush()
    _record(session, user=user, worker=worker, action="delete", before=before)
    return worker


def add_absence(session: Session, *, user: User, worker_id: int, data: AbsenceIn) -> Worker:
    """Records a period when the worker is away (leave, sickness)."""
    worker = worker_to_edit(session, user=user, worker_id=worker_id)
    absence = WorkerAbsence(**data.model_dump())
    worker.absences.append(absence)
    session.flush()
    audit.record(
        session,
        user=user,
        action="add_absence",
        entity="worker",
        entity_id=worker.id,
        changes={"absence": data.model_dump(mode="json") | {"id": absence.id}},
        office_id=worker.office_id,
    )
    return worker


def remove_absence(session: Session, *, user: User, worker_id: int, absence_id: int) -> Worker:
    """Deletes one of the worker's absences."""
    worker = worker_to_edit(session, user=user, worker_id=worker_id)
    absence = next((a for a in worker.absences if a.id == absence_id), None)
    if absence is None:
        raise NotFound("absence")
    removed = AbsenceOut.model_validate(absence, from_attributes=True).model_dump(mode="json")
    worker.absences.remove(absence)
    session.flush()
    audit.record(
        session,
        user=user,
        action="remove_absence",
        entity="worker",
        entity_id=worker.id,
        changes={"absence": removed},
        office_id=worker.office_id,
    )
    return worker


def _record(
    session: Session, *, user: User | None, worker: Worker, action: str, before: dict[str, Any]
) -> None:
    session.refresh(worker)  # the shift template as stored
    audit.record(
        session,
        user=user,
        action=action,
        entity="worker",
        entity_id=worker.id,
        changes=audit.diff(before, snapshot(worker)),
        office_id=worker.office_id,
    )


def without_login(session: Session, *, worker_id: int) -> Worker:
    """The worker record, if it has no login yet (else 409; 404 when there is none)."""
    worker = session.get(Worker, worker_id)
    if worker is None:
        raise NotFound("worker")
    if worker.user_id is not None:
        raise RegistryError(
            "this worker already has a login",
            status=409,
            field="worker_id",
            code="accounts.worker_has_login",
        )
    return worker


def bind_login(session: Session, *, worker_id: int, user: User) -> Worker:
    """Give a worker record its login (a new field worker's account); the record must have none."""
    worker = without_login(session, worker_id=worker_id)
    _check_login(session, user_id=user.id, worker_id=worker.id)
    before = snapshot(worker)
    worker.user_id = user.id
    session.flush()
    _record(session, user=None, worker=worker, action="update", before=before)
    return worker


def logins_of_workers(session: Session) -> dict[int, int]:
    """Login user id -> the worker record it belongs to."""
    rows = session.execute(select(Worker.user_id, Worker.id).where(Worker.user_id.is_not(None)))
    return {user_id: worker_id for user_id, worker_id in rows if user_id is not None}
