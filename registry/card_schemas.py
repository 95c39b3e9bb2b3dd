"""What the client's card, the queue and a programme's approval read and answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from registry.models import ClientStatus
from registry.schemas.clients import ClientOut
from registry.schemas.fields import Day, Text, _In


class QueueItem(BaseModel):
    """A client waiting for a decision: queued, refused, suspended, or back after a period.
    `reviewed_at` is when someone last looked at them (None: never since they joined)."""

    client: ClientOut
    status: ClientStatus
    why: Literal["queued", "refused", "suspended", "period_ended"]
    since: date | None
    until: date | None
    reason: str
    reviewed_at: datetime | None
    reviewed_by_name: str | None


class ArchiveIn(_In):
    reason: Text = Field(min_length=1, max_length=300, description="why the client is archived")


class CloseIn(_In):
    last_day: Day | None = Field(None, description="the programme's last day in force (today)")


class RecurrenceWords(BaseModel):
    """A recurrence rule in its stored form and in words."""

    rule: str
    ru: str
    en: str
