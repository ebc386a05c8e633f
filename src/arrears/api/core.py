"""Who am I: the calling user, role, team, agency and what the role may do."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from arrears.api.errors import ErrorOut
from arrears.core.models import User
from arrears.core.roles import CAPABILITIES, Role

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    name: str
    role: Role
    role_label: str
    team: str | None
    agency: str | None
    read_only: bool = Field(description="true for the auditor: reads everything, changes nothing")
    capabilities: list[str] = Field(description="what the role may do, e.g. payment.post")


@router.get("", response={200: MeOut, 401: ErrorOut}, summary="The calling user")
def me(request: HttpRequest):
    user: User = request.user
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "team": user.team.name if user.team_id else None,
        "agency": user.agency.name if user.agency_id else None,
        "read_only": user.is_read_only,
        "capabilities": sorted(c for c in CAPABILITIES if user.can(c)),
    }
