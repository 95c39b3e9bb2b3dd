"""Where queued clients fit in a stored week plan (`planner.fit` on the week's days).

Each day of the week is read back as the day solver's problem (the workers on duty, the
visits of the week's plan of that day in each worker's order) with the queued clients'
places added, and `planner.fit.advise` tries each client's programme on every worker's days.
The programme is the one the client would be served by were their newest draft approved
(`registry.programme.lines_if_approved`): a queued client's draft, from its start; before
it, and for a client with no draft, the programme in force.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from planner import build
from planner.build import VisitDraft
from planner.duty import office_calendar, on_duty
from planner.fit import FitAdvice, FitDay, advise
from planner.models import PlanWeek
from planner.plans import plan_drafts, route_sequences, visit_key
from planner.recurrence import CareClient
from planner.travel import TravelTimeProvider
from planner.week_build import _lines_in
from planner.week_problem import RuleError
from planner.week_store import week_days
from registry import programme
from registry.models import CarePlan, Client, ClientStatus

MAX_CLIENTS = 20  # queued clients advised at once (the longest waiting first)


def queued_clients(session: Session, office_id: int) -> list[Client]:
    return list(
        session.scalars(
            select(Client)
            .where(Client.office_id == office_id, Client.status == ClientStatus.QUEUED)
            .order_by(Client.created_at, Client.id)
            .limit(MAX_CLIENTS)
        )
    )


def advise_clients(
    session: Session,
    *,
    week: PlanWeek,
    clients: list[Client],
    provider: TravelTimeProvider | None = None,
) -> dict[int, FitAdvice]:
    """Advice per client (clients without an address on the map or a programme are left out
    with the reason)."""
    calendar = office_calendar(week.start, week.end)
    care: dict[int, CareClient] = {}
    advice: dict[int, FitAdvice] = {}
    for client in clients:
        if client.office_id != week.office_id:
            raise DomainError("client not found", status=404)
        plans = list(session.scalars(select(CarePlan).where(CarePlan.client_id == client.id)))
        lines = _lines_in(plans, week.start, week.end, programme.lines_if_approved)
        if client.location is None or not lines:
            why = "no address on the map" if client.location is None else "no programme in the week"
            advice[client.id] = FitAdvice(str(client.id), 0, reason=why)
            continue
        care[client.id] = CareClient(
            id=str(client.id),
            name=client.full_name,
            window_start=build.seconds_of(client.window_start) if client.window_start else 0,
            window_end=build.seconds_of(client.window_end) if client.window_end else 24 * 3600,
            required_skills=frozenset(client.required_skills or ()),
            workers_needed=client.workers_needed,
            lines=tuple(lines),
        )
    if not care:
        return advice
    rows = {c.id: c for c in clients}
    days: dict[int, list[FitDay]] = {c: [] for c in care}
    for day, plan in sorted(week_days(session, week).items()):
        stops = [s for r in plan.routes for s in r.stops]
        drafts = plan_drafts(session, plan, stops)
        drafts += [VisitDraft(id=visit_key(c, day), client=rows[c], services=[]) for c in care]
        built = build.assemble(
            session,
            office_id=week.office_id,
            day=day,
            workers=on_duty(session, office_id=week.office_id, day=day, calendar=calendar),
            drafts=drafts,
            provider=provider,
        )
        places = {v.id: v.location for v in built.problem.visits}
        sequences = route_sequences(plan)
        for client_id in care:
            place = places[visit_key(client_id, day)]
            days[client_id].append(FitDay(day, built.problem, sequences, place))
    for client_id, care_client in care.items():
        try:
            advice[client_id] = advise(care_client, days[client_id], calendar)
        except RuleError as exc:
            raise DomainError(
                str(exc), status=422, code="week.rule", params={"detail": str(exc)}
            ) from None
    return advice
