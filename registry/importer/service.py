"""Bulk import against the registry: rows read and checked by `registry.importer.read` are checked
against the office's stored clients, workers and catalogue, then written through the registry
services (so each record is audited like a hand-made one).

Every row is checked before anything is written. In mode `all` one bad row stops the whole
file; in `good_rows` the good rows are written and the bad ones reported as skipped; `check`
writes nothing. The writes run in one savepoint: they all land or none does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Role, User
from registry.care_plans import save_care_plan
from registry.clients import create_client
from registry.geocode import Geocoder
from registry.importer.read import (
    ErrorParam,
    ImportKind,
    ImportMode,
    ImportReport,
    Row,
    RowError,
    read_table,
)
from registry.importer.rows import CarePlanRow, care_plan_row, client_from_row, worker_from_row
from registry.models import Client, LocationStatus, Service, Worker
from registry.offices import office_to_edit
from registry.schemas.care_plans import CarePlanIn
from registry.workers import create_worker

Good = dict[int, tuple[list[int], Any]]


def run_import(
    session: Session,
    *,
    user: User | None,
    office_id: int,
    kind: ImportKind,
    data: bytes,
    filename: str,
    mode: ImportMode = ImportMode.ALL,
    geocoder: Geocoder | None = None,
) -> ImportReport:
    """Checks every row of the file, then writes them as `mode` says; the report names each
    bad row and column. ImportFileError when the file itself cannot be read."""
    office_to_edit(session, user=user, office_id=office_id)
    rows = read_table(kind, data, filename)
    report = ImportReport(kind=kind, mode=mode, rows=len(rows))
    # Each checker answers {key: (the file's rows it covers, what to write)}.
    good: Good
    if kind == ImportKind.CLIENTS:
        good = _check_clients(session, office_id=office_id, rows=rows, report=report)
    elif kind == ImportKind.WORKERS:
        good = _check_workers(session, office_id=office_id, rows=rows, report=report)
    else:
        good = _check_care_plans(session, office_id=office_id, rows=rows, report=report)
    report.errors.sort(key=lambda e: e.row)
    covered = {n for numbers, _ in good.values() for n in numbers}
    report.skipped_rows = sorted({r.number for r in rows} - covered)
    if mode == ImportMode.CHECK or (mode == ImportMode.ALL and report.errors):
        return report
    with session.begin_nested():
        for _, payload in good.values():
            _write(
                session,
                user=user,
                office_id=office_id,
                kind=kind,
                payload=payload,
                report=report,
                geocoder=geocoder,
            )
    return report


def _write(
    session: Session,
    *,
    user: User | None,
    office_id: int,
    kind: ImportKind,
    payload: Any,
    report: ImportReport,
    geocoder: Geocoder | None,
) -> None:
    if kind == ImportKind.CLIENTS:
        client = create_client(
            session, user=user, office_id=office_id, data=payload, geocoder=geocoder
        )
        report.geocoded += client.location_status == LocationStatus.GEOCODED
        report.needs_location += client.location_status == LocationStatus.NEEDS_LOCATION
        report.ids.append(client.id)
    elif kind == ImportKind.WORKERS:
        report.ids.append(create_worker(session, user=user, office_id=office_id, data=payload).id)
    else:
        client_id, plan = payload
        save_care_plan(session, user=user, client_id=client_id, data=plan)
        report.ids.append(client_id)
    report.written += 1


def _person_key(full_name: str, birth_date: date | None) -> tuple[str, date | None]:
    return " ".join(full_name.lower().replace("ё", "е").split()), birth_date


def _check_clients(
    session: Session, *, office_id: int, rows: list[Row], report: ImportReport
) -> Good:
    """Good rows by row number; a client already registered (same name and birth date) or
    twice in the file is an error."""
    stored = {
        _person_key(name, born): client_id
        for client_id, name, born in session.execute(
            select(Client.id, Client.full_name, Client.birth_date).where(
                Client.office_id == office_id
            )
        )
    }
    seen: dict[tuple[str, date | None], int] = {}
    good: Good = {}
    for row in rows:
        client = client_from_row(row)
        if isinstance(client, list):
            report.errors.extend(client)
            continue
        key = _person_key(client.full_name, client.birth_date)
        if key in stored:
            message = f"already registered as client {stored[key]}"
            params: dict[str, ErrorParam] = {"client": stored[key]}
            problem = RowError(row.number, "full_name", message, "import.client_exists", params)
            report.errors.append(problem)
        elif key in seen:
            message = f"the same person as row {seen[key]}"
            params = {"row": seen[key]}
            problem = RowError(row.number, "full_name", message, "import.same_person", params)
            report.errors.append(problem)
        else:
            seen[key] = row.number
            good[row.number] = ([row.number], client)
    return good


def _check_workers(
    session: Session, *, office_id: int, rows: list[Row], report: ImportReport
) -> Good:
    """Good rows by row number; a login must be an unlinked user with role worker."""
    names = {
        _person_key(n, None)
        for n in session.scalars(select(Worker.full_name).where(Worker.office_id == office_id))
    }
    logins_used: dict[str, int] = {}
    good: Good = {}
    for row in rows:
        parsed = worker_from_row(row)
        if isinstance(parsed, list):
            report.errors.extend(parsed)
            continue
        worker, login = parsed
        problem = None
        if _person_key(worker.full_name, None) in names:
            message = "the office already has this worker"
            problem = RowError(row.number, "full_name", message, "import.worker_exists")
        elif login:
            user_id, problem = _login(session, row=row, login=login, used=logins_used)
            worker = worker.model_copy(update={"user_id": user_id})
        if problem:
            report.errors.append(problem)
            continue
        names.add(_person_key(worker.full_name, None))
        good[row.number] = ([row.number], worker)
    return good


def _login(
    session: Session, *, row: Row, login: str, used: dict[str, int]
) -> tuple[int | None, RowError | None]:
    user = session.scalars(select(User).where(User.username == login)).one_or_none()
    if user is None or user.role != Role.WORKER:
        message = f"no user '{login}' with role worker"
        return None, RowError(
            row.number, "login", message, "import.no_worker_user", {"login": login}
        )
    linked = session.scalar(select(Worker.id).where(Worker.user_id == user.id))
    if linked is not None:
        message = f"'{login}' belongs to worker {linked}"
        params: dict[str, ErrorParam] = {"login": login, "worker": linked}
        return None, RowError(row.number, "login", message, "import.login_linked", params)
    if login in used:
        message = f"'{login}' is also given in row {used[login]}"
        params = {"login": login, "row": used[login]}
        return None, RowError(row.number, "login", message, "import.login_taken", params)
    used[login] = row.number
    return user.id, None


def _check_care_plans(
    session: Session, *, office_id: int, rows: list[Row], report: ImportReport
) -> Good:
    """Good plans by client id: (the rows, the client id, the plan). A client with any bad row
    gets no plan from this file, so a half plan never replaces a whole one."""
    codes = {
        code: active
        for code, active in session.execute(
            select(Service.code, Service.active).where(Service.office_id == office_id)
        )
    }
    clients = session.execute(
        select(Client.id, Client.full_name, Client.birth_date).where(Client.office_id == office_id)
    ).all()
    by_client: dict[int, list[CarePlanRow]] = defaultdict(list)
    bad_clients: set[int] = set()
    for row in rows:
        line = care_plan_row(row)
        if isinstance(line, list):
            report.errors.extend(line)
            continue
        client_id, problem = _which_client(line, clients)
        if problem is None and codes.get(line.line.service_code or "") is None:
            message = "no such service in the catalogue"
            problem = RowError(row.number, "service_code", message, "import.no_such_service")
        elif problem is None and not codes[line.line.service_code or ""]:
            message = "this service is no longer in use"
            problem = RowError(row.number, "service_code", message, "import.service_retired")
        if problem:
            report.errors.append(problem)
            if client_id is not None:
                bad_clients.add(client_id)
            continue
        by_client[client_id or 0].append(line)
    good: Good = {}
    for client_id, lines in by_client.items():
        if client_id in bad_clients:
            continue
        plan = CarePlanIn(
            number=next((ln.plan_number for ln in lines if ln.plan_number), ""),
            valid_from=min(ln.line.valid_from or date.max for ln in lines),
            lines=[ln.line for ln in lines],
        )
        good[client_id] = ([ln.number for ln in lines], (client_id, plan))
    return good


def _which_client(line: CarePlanRow, clients: Sequence[Any]) -> tuple[int | None, RowError | None]:
    """The client a care-plan row belongs to, by id or by name (and birth date)."""
    if line.client_id is not None:
        if any(c.id == line.client_id for c in clients):
            return line.client_id, None
        message = "no such client in this office"
        return None, RowError(line.number, "client_id", message, "import.no_such_client")
    key = _person_key(line.full_name, None)[0]
    matches = [
        c.id
        for c in clients
        if _person_key(c.full_name, None)[0] == key
        and (line.birth_date is None or c.birth_date == line.birth_date)
    ]
    if not matches:
        message = "no client with this name in the office"
        return None, RowError(line.number, "full_name", message, "import.no_client_named")
    if len(matches) > 1:
        message = f"{len(matches)} clients have this name: add birth_date or client_id"
        params: dict[str, ErrorParam] = {"n": len(matches)}
        return None, RowError(line.number, "full_name", message, "import.name_ambiguous", params)
    return matches[0], None
