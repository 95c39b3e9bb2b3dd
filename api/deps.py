"""The API's permission dependencies for an office named in the path, written once.

Both refuse field workers (403). `OfficeReader` lets through staff who may see the office
`{office_id}` (404 for the others, so an office's existence is not given away); `SupervisorOf`
lets through who may change it: its heads of department and administrators (403 for staff who
may only read it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status

from core.deps import SessionDep, StaffUser
from core.models import User
from registry.access import can_edit_office, can_see_office


def office_reader(office_id: int, session: SessionDep, user: StaffUser) -> User:
    """The user, if they may see the office."""
    if not can_see_office(session, user, office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="office not found")
    return user


def supervisor_of(office_id: int, session: SessionDep, user: StaffUser) -> User:
    """The user, if they may change the office."""
    if not can_see_office(session, user, office_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="office not found")
    if not can_edit_office(session, user, office_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="only the office's head of department may change it"
        )
    return user


def check_supervisor_of(session: SessionDep, user: User, office_id: int) -> None:
    """The same check for an office found through another object (a plan, a device)."""
    supervisor_of(office_id, session, user)


OfficeReader = Annotated[User, Depends(office_reader)]
SupervisorOf = Annotated[User, Depends(supervisor_of)]
