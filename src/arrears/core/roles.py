"""Roles and what each may do. One table, read by the web, the API and the CLI alike."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Collection manager")
    TEAM_LEAD = "team_lead", _("Team lead")
    COLLECTOR = "collector", _("Phone collector")
    FIELD_AGENT = "field_agent", _("Field collector")
    LEGAL = "legal", _("Legal officer")
    AGENCY = "agency", _("Agency")
    AUDITOR = "auditor", _("Auditor")


# Capabilities are coarse on purpose: the scoping function decides *which* rows, this table
# decides *what* a role may do with the rows it sees.
CAPABILITIES: dict[str, frozenset[str]] = {
    "book.import": frozenset({Role.ADMIN, Role.MANAGER}),
    "book.export": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AUDITOR}),
    "payment.post": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}),
    "loan.assign": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}),
    "user.manage": frozenset({Role.ADMIN}),
    # Rule packs and the LPR table are an administrator's job (compliance app).
    "rulepack.edit": frozenset({Role.ADMIN}),
    # Full ID numbers only where the job needs them (court filings, identity checks).
    "pii.id_number": frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL}),
    # Phone numbers for everyone who works cases; auditors read masked figures.
    "pii.phone": frozenset(
        {
            Role.ADMIN,
            Role.MANAGER,
            Role.TEAM_LEAD,
            Role.COLLECTOR,
            Role.FIELD_AGENT,
            Role.LEGAL,
            Role.AGENCY,
        }
    ),
}

# Roles that read the whole book. Everyone else reads through an assignment.
READ_ALL_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def role_can(role: str, capability: str) -> bool:
    """Whether `role` holds `capability` (unknown capabilities are denied)."""
    return role in CAPABILITIES.get(capability, frozenset())
