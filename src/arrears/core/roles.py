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
    # The origination system's account: asks the credit hold list by ID number, nothing else.
    CREDIT_CHECK = "credit_check", _("Credit check")


# Capabilities are coarse on purpose: the scoping function decides *which* rows, this table
# decides *what* a role may do with the rows it sees.
CAPABILITIES: dict[str, frozenset[str]] = {
    "book.import": frozenset({Role.ADMIN, Role.MANAGER}),
    "book.export": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AUDITOR}),
    "payment.post": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}),
    # Assigning and reassigning cases (分案), granting assists: team leads within their team.
    "case.assign": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}),
    "user.manage": frozenset({Role.ADMIN}),
    # Reading the reports (/reports/, /api/v1/reports/, `arrears report`): each within the
    # reader's scope, so a team lead reads the team's figures.
    "report.read": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AUDITOR}),
    # Asking whether a borrower is on the credit hold list (POST /api/v1/credit-hold/check):
    # the origination system's account (credit_check), and those who answer for the list.
    "credit_hold.check": frozenset({Role.ADMIN, Role.MANAGER, Role.CREDIT_CHECK}),
    # Setting the monthly collection targets the morning dashboard measures against.
    "target.edit": frozenset({Role.ADMIN, Role.MANAGER}),
    # Seeing the users and teams (/users/, /teams/) read-only: who works where, capacity.
    "user.read": frozenset({Role.ADMIN, Role.MANAGER}),
    # The pre-due reminder list (/predue/): those who remind borrowers before a due date, in
    # their own scope; auditors read it (masked, like everything).
    "predue.read": frozenset(
        {Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.COLLECTOR, Role.AUDITOR}
    ),
    # Browsing, filtering and exporting the audit trail (/audit/, /api/v1/audit/).
    "audit.read": frozenset({Role.ADMIN, Role.AUDITOR}),
    # Rule packs and the LPR table are an administrator's job (compliance app).
    "rulepack.edit": frozenset({Role.ADMIN}),
    # …and read, without a form, by the managers whose work they check and by auditors.
    "rulepack.read": frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR}),
    # Overriding a blocking compliance rule with a written reason (audited). Which rules a
    # role may override is the rule pack's `override_roles`; this says who may try at all
    # (legal: the packs name it for cease-contact, bankruptcy and conduct rules).
    "compliance.override": frozenset({Role.ADMIN, Role.MANAGER, Role.LEGAL}),
    # Reading (and exporting) the report of every override: who overrode which rule on what,
    # and why (/compliance/overrides/). Managers answer for them, auditors check them.
    "compliance.overrides.read": frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR}),
    # Documents: everyone who works cases files them; managers keep the category list.
    "document.file": frozenset(
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
    "document.categories": frozenset({Role.ADMIN, Role.MANAGER}),
    # Only an administrator may ask; retention (compliance) refuses while a document is young.
    "document.delete": frozenset({Role.ADMIN}),
    # Collection notices (催款通知书): issued in the lender's name, so not by agencies; served
    # and signed for by whoever hands them over, field agents and agencies included.
    "notice.issue": frozenset(
        {Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.COLLECTOR, Role.FIELD_AGENT, Role.LEGAL}
    ),
    "notice.serve": frozenset(
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
    "notice.templates": frozenset({Role.ADMIN, Role.MANAGER}),
    # Repayment plans (plans app): who may propose and record acceptance, who may decide on
    # others' proposals (how far is the plans_planauthority table), who edits that table.
    "plan.propose": frozenset(
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
    "plan.approve": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}),
    "plan.authority": frozenset({Role.ADMIN}),
    # Write-off (核销, writeoff app): managers propose; another person decides, within the
    # amount their role's row in writeoff_writeoffauthority allows; an administrator edits
    # that table. The written-off ledger is read by those who answer for the book.
    "writeoff.propose": frozenset({Role.ADMIN, Role.MANAGER}),
    "writeoff.approve": frozenset({Role.ADMIN, Role.MANAGER}),
    "writeoff.authority": frozenset({Role.ADMIN}),
    "writeoff.read": frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR}),
    # Case work (cases app): setting the debtor type, recording complaints, death reports and
    # whereabouts, marking a willful non-payer. Deciding complaints and death reports, moving a
    # case to the legal track and editing the playbooks are for supervisors.
    "case.work": frozenset(
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
    "complaint.resolve": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD}),
    "death.decide": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.LEGAL}),
    "case.legal_track": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.LEGAL}),
    "playbook.edit": frozenset({Role.ADMIN, Role.MANAGER}),
    # Strategies (segments, treatment paths, champion/challenger): managers edit them, team
    # leads and auditors read them (strategy app).
    "strategy.edit": frozenset({Role.ADMIN, Role.MANAGER}),
    "strategy.read": frozenset({Role.ADMIN, Role.MANAGER, Role.TEAM_LEAD, Role.AUDITOR}),
    # Exporting ID and phone numbers unmasked (`arrears export … --unmasked`, audited).
    "pii.export": frozenset({Role.ADMIN}),
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
    # Agencies (委外, agencies app): contracts, placements, recalls and deciding reported
    # payments are the lender's managers'; reading them (statements, performance) also for
    # auditors; agency users report their own payments (and managers for them).
    "agency.manage": frozenset({Role.ADMIN, Role.MANAGER}),
    "agency.read": frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR}),
    "agency.report": frozenset({Role.ADMIN, Role.MANAGER, Role.AGENCY}),
}

# Roles that read the whole book. Everyone else reads through an assignment.
READ_ALL_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.AUDITOR})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})
# Roles that reach only the API operations listed here (by path), no web page, no other
# operation — whatever CAPABILITIES says (api/auth.py and core/logins.py enforce it).
API_ONLY_ROLES: dict[str, frozenset[str]] = {
    Role.CREDIT_CHECK: frozenset({"/api/v1/credit-hold/check"}),
}


def role_can(role: str, capability: str) -> bool:
    """Whether `role` holds `capability` (unknown capabilities are denied)."""
    return role in CAPABILITIES.get(capability, frozenset())
