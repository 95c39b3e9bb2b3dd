"""A client's care programme expanded into what is due: the one home of that rule.

A line of a care plan is due on a day when its plan is in force (approved, or closed after it
was: a draft is never planned) and valid that day, its service is still
offered, the day lies within the line's own validity, and its recurrence falls on the day
(anchored at the line's start). Zones weigh clients by it, the planner builds each day's
visits from it, and the demo checks its generated programmes with it. No I/O: it reads plans
already loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from registry.recurrence import Recurrence, occurs_on, parse_recurrence

if TYPE_CHECKING:  # plans arrive loaded: no database code runs here
    from registry.models import CarePlan

# States of a programme that were approved: only these are planned. A closed one keeps counting
# for the days up to its valid_to (set when it was closed), so past days stay as they were.
IN_FORCE = frozenset({"approved", "closed"})
WEEKS_SAMPLED = 4  # a weekly workload is averaged over four weeks (monthly rules even out)


@dataclass(frozen=True, slots=True)
class ProgrammeLine:
    """One service of a programme as planning needs it."""

    service_code: str
    service_name: str
    standard_minutes: int
    recurrence: Recurrence
    valid_from: date  # also the anchor of 'every:N'
    valid_to: date | None = None  # inclusive; None = open-ended
    required_skill: str | None = None

    def due_on(self, day: date) -> bool:
        if self.valid_to is not None and day > self.valid_to:
            return False
        return occurs_on(self.recurrence, day, anchor=self.valid_from)


def lines_on(plans: Sequence[CarePlan], day: date) -> list[ProgrammeLine]:
    """The lines of the approved plans valid on `day` whose service is still offered."""
    lines = []
    for plan in plans:
        if plan.status not in IN_FORCE:
            continue  # a draft (an unapproved change) is never planned
        lines += _plan_lines(plan, day)
    return lines


def lines_if_approved(plans: Sequence[CarePlan], day: date) -> list[ProgrammeLine]:
    """The lines due on `day` were the client's newest draft approved (what the fit advice
    for a queued client reads): approval closes the programmes in force the day before the
    draft starts, so from its start the draft's lines, before it the ones in force, ending
    the day before. With no draft, the lines in force (`lines_on`): approving nothing changes
    nothing."""
    drafts = [p for p in plans if p.status == "draft"]
    if not drafts:
        return lines_on(plans, day)
    newest = max(drafts, key=lambda p: (p.version, p.id or 0))
    if day >= newest.valid_from:
        return _plan_lines(newest, day)
    last = newest.valid_from - timedelta(days=1)
    return [
        replace(line, valid_to=min(line.valid_to or last, last)) for line in lines_on(plans, day)
    ]


def _plan_lines(plan: CarePlan, day: date) -> list[ProgrammeLine]:
    """One plan's lines when the plan is valid on `day` and their service still offered."""
    if plan.valid_from > day or (plan.valid_to is not None and plan.valid_to < day):
        return []
    lines = []
    for line in plan.lines:
        if not line.service.active:
            continue
        ends = [d for d in (line.valid_to, plan.valid_to) if d is not None]
        lines.append(
            ProgrammeLine(
                service_code=line.service.code,
                service_name=line.service.name,
                standard_minutes=line.service.standard_minutes,
                recurrence=parse_recurrence(line.recurrence),
                valid_from=line.valid_from,
                valid_to=min(ends) if ends else None,
                required_skill=line.service.required_skill,
            )
        )
    return lines


def minutes_due(plans: Sequence[CarePlan], day: date) -> int:
    """Standard minutes of every service due on `day` (the length of that day's visit)."""
    return sum(line.standard_minutes for line in lines_on(plans, day) if line.due_on(day))


def weekly_load(plans: Sequence[CarePlan], start: date) -> tuple[float, float]:
    """Service minutes and visit days a week from a client's care plans, averaged over
    `WEEKS_SAMPLED` weeks from `start`."""
    minutes, days = 0, 0
    for offset in range(7 * WEEKS_SAMPLED):
        due = minutes_due(plans, start + timedelta(days=offset))
        minutes += due
        days += 1 if due else 0
    return minutes / WEEKS_SAMPLED, days / WEEKS_SAMPLED
