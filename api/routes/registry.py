"""The registry's HTTP API: regions, offices, workers, clients, the service catalogue and care
plans. Handlers only translate HTTP; the rules live in `registry.offices*`.

Who may do what: admins everything; managers read the offices of their region; supervisors read
and edit their own offices; field workers read only their own clients (and what they need of
them). A role that may not do an action gets 403; an object outside the user's reach gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status

from api.params import Limit, Offset, Today
from core.deps import CurrentUser, EditorUser, SessionDep, StaffUser, require_roles
from core.models import Role, User
from registry import care_plans as service_catalogue
from registry import clients as service_clients
from registry import offices as service
from registry import workers as service_workers
from registry.geocode import geocoder_from_settings
from registry.models import ClientStatus
from registry.schemas.care_plans import (
    CarePlanIn,
    CarePlanOut,
    ServiceIn,
    ServiceOut,
    ServiceUpdate,
)
from registry.schemas.clients import (
    ClientForWorker,
    ClientIn,
    ClientOut,
    ClientUpdate,
    StatusChangeIn,
    StatusChangeOut,
    ToEnrolItem,
)
from registry.schemas.fields import Id, Page, Text
from registry.schemas.offices import OfficeIn, OfficeOut, OfficeUpdate, RegionIn, RegionOut
from registry.schemas.workers import AbsenceIn, WorkerIn, WorkerOut, WorkerUpdate
from zones.client_filter import client_ids_in

router = APIRouter(prefix="/api", tags=["registry"])

AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]


# --- regions and offices ---------------------------------------------------------------------


@router.get("/regions", summary="List the regions you may see", response_model=Page[RegionOut])
def list_regions(
    session: SessionDep, user: StaffUser, limit: Limit = 50, offset: Offset = 0
) -> Page[RegionOut]:
    return service.list_regions(session, user=user, limit=limit, offset=offset)


@router.post(
    "/regions",
    summary="Create a region (admin)",
    response_model=RegionOut,
    status_code=status.HTTP_201_CREATED,
)
def create_region(session: SessionDep, user: AdminUser, data: RegionIn) -> RegionOut:
    return service.region_out(service.create_region(session, user=user, data=data))


@router.get("/offices", summary="List the offices you may see", response_model=Page[OfficeOut])
def list_offices(
    session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[OfficeOut]:
    return service.list_offices(session, user=user, limit=limit, offset=offset)


@router.get("/offices/{office_id}", summary="Get an office", response_model=OfficeOut)
def get_office(session: SessionDep, user: CurrentUser, office_id: Id) -> OfficeOut:
    return service.office_out(service.office_to_read(session, user=user, office_id=office_id))


@router.post(
    "/offices",
    summary="Create an office (admin)",
    response_model=OfficeOut,
    status_code=status.HTTP_201_CREATED,
)
def create_office(session: SessionDep, user: AdminUser, data: OfficeIn) -> OfficeOut:
    return service.office_out(service.create_office(session, user=user, data=data))


@router.patch(
    "/offices/{office_id}",
    summary="Update an office: name, address, location, service area (GeoJSON)",
    response_model=OfficeOut,
)
def update_office(
    session: SessionDep, user: EditorUser, office_id: Id, data: OfficeUpdate
) -> OfficeOut:
    office = service.update_office(session, user=user, office_id=office_id, data=data)
    return service.office_out(office)


# --- workers ---------------------------------------------------------------------------------


@router.get(
    "/offices/{office_id}/workers",
    summary="List an office's workers",
    response_model=Page[WorkerOut],
)
def list_workers(
    session: SessionDep,
    user: StaffUser,
    office_id: Id,
    q: Annotated[Text | None, Query(max_length=100, description="part of the name")] = None,
    active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WorkerOut]:
    return service_workers.list_workers(
        session, user=user, office_id=office_id, q=q, active=active, limit=limit, offset=offset
    )


@router.post(
    "/offices/{office_id}/workers",
    summary="Add a worker with skills, travel mode, start/end points and weekly shifts",
    response_model=WorkerOut,
    status_code=status.HTTP_201_CREATED,
)
def create_worker(
    session: SessionDep, user: EditorUser, office_id: Id, data: WorkerIn
) -> WorkerOut:
    worker = service_workers.create_worker(session, user=user, office_id=office_id, data=data)
    return service_workers.worker_out(worker)


@router.get("/workers/{worker_id}", summary="Get a worker", response_model=WorkerOut)
def get_worker(session: SessionDep, user: StaffUser, worker_id: Id) -> WorkerOut:
    worker = service_workers.worker_to_read(session, user=user, worker_id=worker_id)
    return service_workers.worker_out(worker)


@router.patch(
    "/workers/{worker_id}",
    summary="Update a worker; `shifts` replaces the weekly template",
    response_model=WorkerOut,
)
def update_worker(
    session: SessionDep, user: EditorUser, worker_id: Id, data: WorkerUpdate
) -> WorkerOut:
    worker = service_workers.update_worker(session, user=user, worker_id=worker_id, data=data)
    return service_workers.worker_out(worker)


@router.delete(
    "/workers/{worker_id}",
    summary="Deactivate a worker (history is kept)",
    response_model=WorkerOut,
)
def deactivate_worker(session: SessionDep, user: EditorUser, worker_id: Id) -> WorkerOut:
    worker = service_workers.deactivate_worker(session, user=user, worker_id=worker_id)
    return service_workers.worker_out(worker)


@router.post(
    "/workers/{worker_id}/absences",
    summary="Record a worker's absence (leave, sickness)",
    response_model=WorkerOut,
    status_code=status.HTTP_201_CREATED,
)
def add_absence(session: SessionDep, user: EditorUser, worker_id: Id, data: AbsenceIn) -> WorkerOut:
    worker = service_workers.add_absence(session, user=user, worker_id=worker_id, data=data)
    return service_workers.worker_out(worker)


@router.delete(
    "/workers/{worker_id}/absences/{absence_id}",
    summary="Remove a worker's absence",
    response_model=WorkerOut,
)
def remove_absence(
    session: SessionDep, user: EditorUser, worker_id: Id, absence_id: Id
) -> WorkerOut:
    worker = service_workers.remove_absence(
        session, user=user, worker_id=worker_id, absence_id=absence_id
    )
    return service_workers.worker_out(worker)


# --- clients ---------------------------------------------------------------------------------

ClientView = ClientOut | ClientForWorker


@router.get(
    "/offices/{office_id}/clients",
    summary="Search an office's clients (field workers: their own only)",
    response_model=Page[ClientView],
)
def list_clients(
    session: SessionDep,
    user: CurrentUser,
    office_id: Id,
    q: Annotated[Text | None, Query(max_length=100, description="part of name or address")] = None,
    client_status: Annotated[ClientStatus | None, Query(alias="status")] = None,
    category: Annotated[Text | None, Query(max_length=60)] = None,
    needs_location: bool | None = None,
    zone_id: Annotated[Id | None, Query(description="clients of this zone (active zones)")] = None,
    worker_id: Annotated[Id | None, Query(description="the worker's zone and own clients")] = None,
    archived: Annotated[bool, Query(description="true: only archived clients")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Any]:
    return service_clients.list_clients(
        session,
        user=user,
        office_id=office_id,
        q=q,
        status=client_status,
        category=category,
        needs_location=needs_location,
        archived=archived,
        only_ids=client_ids_in(session, office_id=office_id, zone_id=zone_id, worker_id=worker_id),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/offices/{office_id}/clients/to-enrol",
    summary="Clients to enrol: queued, or back after a refusal/suspension period ended",
    response_model=Page[ToEnrolItem],
)
def to_enrol(
    session: SessionDep,
    user: StaffUser,
    office_id: Id,
    today: Today,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ToEnrolItem]:
    return service_clients.to_enrol(
        session,
        user=user,
        office_id=office_id,
        today=today,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/offices/{office_id}/clients",
    summary="Register a client; without a location the address is geocoded or left to place",
    response_model=ClientOut,
    status_code=status.HTTP_201_CREATED,
)
def create_client(
    session: SessionDep, user: EditorUser, office_id: Id, data: ClientIn
) -> ClientOut:
    client = service_clients.create_client(
        session,
        user=user,
        office_id=office_id,
        data=data,
        geocoder=geocoder_from_settings(session),
    )
    return service_clients.client_out(client)


@router.get("/clients/{client_id}", summary="Get a client", response_model=ClientView)
def get_client(session: SessionDep, user: CurrentUser, client_id: Id) -> Any:
    client = service_clients.client_to_read(session, user=user, client_id=client_id)
    return service_clients.client_view(client, user=user)


@router.patch("/clients/{client_id}", summary="Update a client", response_model=ClientOut)
def update_client(
    session: SessionDep, user: EditorUser, client_id: Id, data: ClientUpdate
) -> ClientOut:
    client = service_clients.update_client(session, user=user, client_id=client_id, data=data)
    return service_clients.client_out(client)


@router.delete(
    "/clients/{client_id}",
    summary="Delete a client entered by mistake (with any history: 409, archive instead)",
    status_code=status.HTTP_204_NO_CONTENT,
)
def delete_client(session: SessionDep, user: EditorUser, client_id: Id) -> Response:
    service_clients.delete_client(session, user=user, client_id=client_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/clients/{client_id}/status",
    summary="Change a client's status with a reason and optional until-date",
    response_model=StatusChangeOut,
    status_code=status.HTTP_201_CREATED,
)
def change_status(
    session: SessionDep, user: EditorUser, client_id: Id, data: StatusChangeIn
) -> StatusChangeOut:
    change = service_clients.change_status(session, user=user, client_id=client_id, data=data)
    return StatusChangeOut.model_validate(change, from_attributes=True)


@router.get(
    "/clients/{client_id}/status-history",
    summary="A client's status history, oldest first",
    response_model=Page[StatusChangeOut],
)
def status_history(
    session: SessionDep, user: StaffUser, client_id: Id, limit: Limit = 50, offset: Offset = 0
) -> Page[StatusChangeOut]:
    return service_clients.status_history(
        session, user=user, client_id=client_id, limit=limit, offset=offset
    )


# --- service catalogue -----------------------------------------------------------------------


@router.get(
    "/offices/{office_id}/services",
    summary="List an office's service catalogue",
    response_model=Page[ServiceOut],
)
def list_services(
    session: SessionDep,
    user: StaffUser,
    office_id: Id,
    q: Annotated[Text | None, Query(max_length=100, description="part of code or name")] = None,
    active: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ServiceOut]:
    return service_catalogue.list_services(
        session, user=user, office_id=office_id, q=q, active=active, limit=limit, offset=offset
    )


@router.post(
    "/offices/{office_id}/services",
    summary="Add a service to the catalogue (code unique per office)",
    response_model=ServiceOut,
    status_code=status.HTTP_201_CREATED,
)
def create_service(
    session: SessionDep, user: EditorUser, office_id: Id, data: ServiceIn
) -> ServiceOut:
    row = service_catalogue.create_service(session, user=user, office_id=office_id, data=data)
    return service_catalogue.service_out(row)


@router.get("/services/{service_id}", summary="Get a catalogue service", response_model=ServiceOut)
def get_service(session: SessionDep, user: StaffUser, service_id: Id) -> ServiceOut:
    row = service_catalogue.service_to_read(session, user=user, service_id=service_id)
    return service_catalogue.service_out(row)


@router.patch(
    "/services/{service_id}", summary="Update a catalogue service", response_model=ServiceOut
)
def update_service(
    session: SessionDep, user: EditorUser, service_id: Id, data: ServiceUpdate
) -> ServiceOut:
    row = service_catalogue.update_service(session, user=user, service_id=service_id, data=data)
    return service_catalogue.service_out(row)


@router.delete(
    "/services/{service_id}",
    summary="Take a service out of use (care plans keep their history)",
    response_model=ServiceOut,
)
def deactivate_service(session: SessionDep, user: EditorUser, service_id: Id) -> ServiceOut:
    row = service_catalogue.deactivate_service(session, user=user, service_id=service_id)
    return service_catalogue.service_out(row)


# --- care plans ------------------------------------------------------------------------------


@router.get(
    "/clients/{client_id}/care-plan", summary="Get a client's care plan", response_model=CarePlanOut
)
def get_care_plan(session: SessionDep, user: CurrentUser, client_id: Id) -> CarePlanOut:
    plan = service_catalogue.get_care_plan(session, user=user, client_id=client_id)
    return service_catalogue.care_plan_out(plan)


@router.put(
    "/clients/{client_id}/care-plan",
    summary="Create or replace a client's care plan (all lines at once)",
    response_model=CarePlanOut,
)
def save_care_plan(
    session: SessionDep, user: EditorUser, client_id: Id, data: CarePlanIn
) -> CarePlanOut:
    plan = service_catalogue.save_care_plan(session, user=user, client_id=client_id, data=data)
    return service_catalogue.care_plan_out(plan)
