"""What the demo holds: counts, logins and the next working day's visits, read back from the
database, and the table `careroute demo` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Office, Region, Role, User
from demo.data.region import REGION_NAME, DemoRegion
from registry.models import CarePlan, CarePlanLine, Client, ClientStatus, Service, Worker
from zones.models import Zone, ZoneSet, ZoneSetStatus

DEMO_PASSWORD = "demo"  # demo only: printed for everyone who runs the demo


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    office: str = ""


@dataclass(slots=True)
class DemoSummary:
    region_id: int
    office_ids: list[int]
    created: bool  # False when the region was already there and left as it was
    workers: int
    clients: int
    clients_by_status: dict[str, int]
    services: int
    care_plans: int
    care_plan_lines: int
    zones: int
    logins: list[DemoLogin]
    zoning: str = ""  # which method drew the zones
    seconds: float = 0.0
    password: str = DEMO_PASSWORD
    visits_next_workday: dict[str, int] = field(default_factory=dict)


def demo_user_ids(session: Session, region_id: int, office_ids: list[int]) -> list[int]:
    """The region's manager, the offices' supervisors and workers; never an admin."""
    workers = select(Worker.user_id).where(Worker.office_id.in_(office_ids))
    query = select(User.id).where(
        User.role != Role.ADMIN,
        (User.region_id == region_id)
        | User.id.in_(workers)
        | User.offices.any(Office.id.in_(office_ids)),
    )
    return list(session.scalars(query))


def summarise(
    session: Session, region: Region, *, created: bool, logins: list[DemoLogin]
) -> DemoSummary:
    office_ids = list(
        session.scalars(select(Office.id).where(Office.region_id == region.id).order_by(Office.id))
    )
    in_offices = Client.office_id.in_(office_ids)
    by_status = session.execute(
        select(Client.status, func.count()).where(in_offices).group_by(Client.status)
    ).all()
    plans = select(CarePlan.id).join(Client).where(in_offices)
    zone_sets = select(ZoneSet.id).where(
        ZoneSet.office_id.in_(office_ids), ZoneSet.status == ZoneSetStatus.ACTIVE
    )

    def count(query: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    return DemoSummary(
        region_id=region.id,
        office_ids=office_ids,
        created=created,
        workers=count(select(Worker.id).where(Worker.office_id.in_(office_ids))),
        clients=sum(n for _, n in by_status),
        clients_by_status={status.value: n for status, n in by_status},
        services=count(select(Service.id).where(Service.office_id.in_(office_ids))),
        care_plans=count(plans),
        care_plan_lines=count(select(CarePlanLine.id).where(CarePlanLine.care_plan_id.in_(plans))),
        zones=count(select(Zone.id).where(Zone.zone_set_id.in_(zone_sets))),
        logins=logins,
    )


def stored_logins(session: Session, region: Region) -> list[DemoLogin]:
    """The logins of a demo region loaded earlier."""
    offices = {
        o.id: o.name for o in session.scalars(select(Office).where(Office.region_id == region.id))
    }
    user_ids = demo_user_ids(session, region.id, list(offices))
    office_of_user = dict(
        session.execute(
            select(Worker.user_id, Worker.office_id).where(Worker.office_id.in_(offices))
        ).all()
    )
    users = session.scalars(
        select(User).where(User.id.in_(user_ids) | (User.username == "admin")).order_by(User.id)
    )
    result = []
    for user in users:
        office_id = office_of_user.get(user.id) or next((o.id for o in user.offices), None)
        result.append(
            DemoLogin(user.username, user.role.value, user.full_name, offices.get(office_id, ""))
        )
    return result


def next_workday_visits(demo: DemoRegion, today: date) -> dict[str, int]:
    """Visits due per office on the next working day (today if it is one)."""
    day = today
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return {
        office.name: sum(
            1
            for index, plan in office.plans.items()
            if office.clients[index].status == ClientStatus.ENROLLED and plan.minutes_on(day) > 0
        )
        for office in demo.offices
    }


def format_summary(summary: DemoSummary) -> str:
    """The summary and the logins table, for the command line."""
    what = "loaded" if summary.created else "already present (use --reset to reload)"
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.clients_by_status.items()))
    lines = [
        f"Demo region {REGION_NAME!r} {what}"
        + (f" in {summary.seconds:.1f} s" if summary.created else ""),
        f"  offices {len(summary.office_ids)}, workers {summary.workers}, "
        f"clients {summary.clients} ({statuses})",
        f"  services {summary.services}, care plans {summary.care_plans} "
        f"({summary.care_plan_lines} lines), zones {summary.zones}"
        + (f" ({summary.zoning})" if summary.zoning else ""),
    ]
    for office, visits in summary.visits_next_workday.items():
        lines.append(f"  next working day: {visits} visits in {office}")
    lines += ["", f"Logins (password for all: {summary.password!r}, demo only):"]
    width = max(len(login.username) for login in summary.logins)
    for login in summary.logins:
        lines.append(
            f"  {login.username:<{width}}  {login.role:<10}  {login.full_name:<36}  {login.office}"
        )
    return "\n".join(lines)
