"""`POST /api/v1/credit-hold/check`: the origination system asks whether to refuse new credit.

The ID number travels in the JSON body, never in the URL (URLs end up in access logs and
proxies); the answer is yes/no with the reasons and never repeats the number. The role
`credit_check` (授信查询) holds only this capability and reaches nothing else (api/auth.py,
core/roles.py API_ONLY_ROLES).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from arrears.api.access import require
from arrears.api.errors import ApiError, error_responses
from arrears.core.audit import request_ip
from arrears.credithold.services import CHECK_CAPABILITY, CheckInvalid, credit_hold_check

router = Router(tags=["credit hold"])


class CheckIn(Schema):
    id_number: str = Field(
        ..., max_length=40, description="The resident identity number (18 characters)."
    )


class ReasonOut(Schema):
    code: str
    label: str


class CreditCheckOut(Schema):
    hold: bool = Field(..., description="True: refuse new credit.")
    known: bool = Field(..., description="Whether any borrower has this ID number.")
    reasons: list[ReasonOut]


@router.post(
    "/check",
    response={200: CreditCheckOut, **error_responses(403)},
    summary="Whether a borrower is on the credit hold list",
)
def credit_hold_check_api(request: HttpRequest, body: CheckIn):
    """Yes/no with reasons (open delinquency, broken plan, written-off loan, negative credit
    flag) for the borrower with this ID number. Audited with the number masked."""
    user = require(request, CHECK_CAPABILITY, "check the credit hold list")
    try:
        answer = credit_hold_check(
            id_number=body.id_number, actor=user, source="api", ip=request_ip(request)
        )
    except CheckInvalid as exc:
        raise ApiError(422, "invalid", exc.message, field=exc.field) from exc
    return answer.as_dict()
