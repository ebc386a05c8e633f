"""The audit trail in words: what each event code and object type means, in both languages.

The trail stores codes (`activity.log`, `compliance.RuleOverride`) so that it never changes
when wording does; the pages and exports show these labels. An app that records a new event
adds its words here or with `register_event_labels()` from its AppConfig.ready(); an event
nobody named is shown as its code (and the test over the events the code base records says so).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, str | Promise] = {
    "activity.correct": _("Activity corrected"),
    "activity.log": _("Activity logged"),
    "advice.create": _("Collection advice added"),
    "advice.update": _("Collection advice edited"),
    "audit.export": _("Audit trail exported"),
    "audit.verify": _("Audit chain verified"),
    "case.colour": _("Colour flag set"),
    "case.debtor_type": _("Debtor type set"),
    "case.escalate": _("Case escalated"),
    "case.estate": _("Estate handling updated"),
    "charge.add": _("Charge added"),
    "charge.waive": _("Charge waived"),
    "complaint.assign": _("Complaint assigned"),
    "complaint.open": _("Complaint recorded"),
    "complaint.resolve": _("Complaint closed"),
    "compliance.override": _("Compliance rule overridden"),
    "compliance.overrides.export": _("Override report exported"),
    "credit_hold.check": _("Credit hold list checked"),
    "collection_target.set": _("Collection target set"),
    "death_report.checklist": _("Death report checklist updated"),
    "death_report.decide": _("Death report decided"),
    "death_report.evidence": _("Death report evidence filed"),
    "death_report.open": _("Death reported"),
    "debtor_type.create": _("Debtor type added"),
    "debtor_type.delete": _("Debtor type deleted"),
    "debtor_type.restore": _("Debtor type made active again"),
    "debtor_type.update": _("Debtor type edited"),
    "demo.generate": _("Demo portfolio generated"),
    "demo.users": _("Demo users reset"),
    "document.category.create": _("Document category added"),
    "document.delete": _("Document deleted"),
    "document.download": _("Document downloaded"),
    "document.file": _("Document filed"),
    "eod.run": _("End-of-day run"),
    "export.borrowers": _("Borrowers exported"),
    "export.loans": _("Loans exported"),
    "export.snapshot": _("Snapshot exported"),
    "export.schedule": _("Schedule exported"),
    "export.queues": _("Work queues exported"),
    "queue.probability": _("Payment probability set"),
    "queue.effort": _("Minutes per action set"),
    "queue.refit": _("Payment probabilities refitted"),
    "import.activities": _("Activities imported"),
    "import.visits": _("Visit sheet imported"),
    "visit.record": _("Visit recorded"),
    "region.rebuild": _("Region tree built"),
    "region.update": _("Region edited"),
    "trip.create": _("Field trip planned"),
    "import.deductions": _("Deductions imported"),
    "import.loans": _("Loans imported"),
    "import.payments": _("Payments imported"),
    "import.schedule": _("Schedules imported"),
    "loan.assign": _("Loan assigned"),
    "loan.create": _("Loan created"),
    "lpr.set": _("LPR rate set"),
    "notice.issue": _("Notice issued"),
    "notice.serve": _("Notice served"),
    "notice.deliver": _("Notice delivered"),
    "notice.sign": _("Notice signed"),
    "notice.template.create": _("Notice template saved"),
    "notice.template.activate": _("Notice template activated"),
    "payment.post": _("Payment posted"),
    "pii.keys_reindex": _("Search index of personal numbers rebuilt"),
    "pii.keys_rotate": _("Encryption keys rotated"),
    "pii.reveal": _("Personal number revealed"),
    "plan.accept": _("Plan accepted by the borrower"),
    "plan.approve": _("Plan approved"),
    "plan.reject": _("Plan rejected"),
    "plan.authority": _("Approval authority changed"),
    "plan.broken": _("Plan broken"),
    "plan.cancel": _("Plan withdrawn"),
    "plan.completed": _("Plan completed"),
    "plan.escalate": _("Plan sent up for approval"),
    "plan.expire": _("Plan expired"),
    "plan.propose": _("Plan proposed"),
    "promise.judge": _("Promise judged"),
    "promise.record": _("Promise recorded"),
    "promise.supersede": _("Promise superseded"),
    "rulepack.assign": _("Rule pack assigned"),
    "rulepack.import": _("Rule pack imported"),
    "rulepack.revise": _("Rule pack revised"),
    "token.create": _("API token created"),
    "user.add": _("User added"),
    "user.lockout": _("Sign-in locked"),
    "user.login": _("Signed in"),
    "user.login_failed": _("Sign-in failed"),
    "user.logout": _("Signed out"),
    "user.unlock": _("Sign-in unlocked"),
    "whereabouts.record": _("Whereabouts recorded"),
    "case.assign": _("Case assigned"),
    "case.assign_undo": _("Case assignment undone"),
    "case.assist_request": _("Assist requested"),
    "case.assist_grant": _("Assist granted"),
    "case.assist_refuse": _("Assist refused"),
    "case.assist_end": _("Assist ended"),
    "case.assist_expire": _("Assist request expired"),
    "case.suspend": _("Collection suspended"),
    "case.suspension_lift": _("Suspension lifted"),
    "case.retain": _("Case retained"),
    "case.retain_end": _("Retention ended"),
    "case.handover": _("Case handed over"),
    "allocation.run": _("Allocation run"),
    "allocation.rule_save": _("Allocation rule saved"),
    "allocation.rule_delete": _("Allocation rule deleted"),
    "absence.record": _("Absence recorded"),
    "absence.change": _("Absence dates changed"),
    "absence.cancel": _("Absence cancelled"),
    "skill.save": _("Skills saved"),
    "team.rotation_set": _("Rotation and retention set"),
    "plan.withdraw": _("Plan withdrawn when the case closed"),
    "writeoff.propose": _("Write-off proposed"),
    "writeoff.approve": _("Write-off approved"),
    "writeoff.reject": _("Write-off rejected"),
    "writeoff.cancel": _("Write-off proposal cancelled"),
    "writeoff.authority": _("Write-off authority changed"),
    "loan.write_off": _("Loan written off"),
    "import.assignments": _("Assignments imported"),
    "calendar.set": _("Holiday calendar day set"),
    "calendar.remove": _("Holiday calendar day removed"),
    "fact.record": _("Fact recorded"),
    "fact.withdraw": _("Recorded fact withdrawn"),
    "user.update": _("User edited"),
    "user.deactivate": _("User deactivated"),
    "user.activate": _("User activated"),
    "user.password_reset": _("Password reset by an administrator"),
    "user.password_change": _("Own password changed"),
    "user.lockout_end": _("Sign-in lock ended"),
    "token.revoke": _("API token revoked"),
    "team.add": _("Team added"),
    "team.rename": _("Team renamed"),
}

OBJECT_LABELS: dict[str, str | Promise] = {
    "id_number": _("ID number"),
    "collection_target": _("Collection target"),
    "activities.Activity": _("Activity"),
    "advice": _("Collection advice"),
    "api_token": _("API token"),
    "audit": _("Audit trail"),
    "book": _("Loan book"),
    "book.Product": _("Product"),
    "case": _("Case"),
    "complaint": _("Complaint"),
    "compliance.LprRate": _("LPR rate"),
    "compliance.RuleOverride": _("Rule override"),
    "compliance.RulePack": _("Rule pack"),
    "death_report": _("Death report"),
    "debtor_type": _("Debtor type"),
    "document": _("Document"),
    "document_category": _("Document category"),
    "eod_run": _("End-of-day run"),
    "export": _("Export"),
    "import": _("Import"),
    "loan": _("Loan"),
    "notice": _("Collection notice"),
    "notice_template": _("Notice template"),
    "payment": _("Payment"),
    "pii": _("Personal number"),
    "plan": _("Repayment plan"),
    "plan_authority": _("Approval authority"),
    "writeoff_proposal": _("Write-off proposal"),
    "writeoff_authority": _("Write-off authority"),
    "promise": _("Promise to pay"),
    "user": _("User"),
    "whereabouts": _("Whereabouts"),
    # Event prefixes (the event filter's groups) that are no object type of their own.
    "activity": _("Activity"),
    "charge": _("Charge"),
    "compliance": _("Compliance"),
    "demo": _("Demo"),
    "eod": _("End-of-day run"),
    "lpr": _("LPR rate"),
    "rulepack": _("Rule pack"),
    "token": _("API token"),
    "core.CalendarDay": _("Holiday calendar day"),
    "activities.RecordedFact": _("Recorded fact"),
    "queues.PaymentProbability": _("Payment probability"),
    "queues.ChannelEffort": _("Minutes per action"),
    "team": _("Team"),
    "allocation": _("Allocation"),
    "allocation_rule": _("Allocation rule"),
    "absence": _("Absence"),
    "skill": _("Skills"),
    "calendar": _("Holiday calendar"),
    "fact": _("Recorded fact"),
    "visit": _("Field visit"),
    "region": _("Region"),
    "trip": _("Field trip"),
}


def register_event_labels(labels: dict[str, str | Promise]) -> None:
    """Name more events (an app's own), e.g. {"case.assign": _("Case assigned")}."""
    EVENT_LABELS.update(labels)


def register_object_labels(labels: dict[str, str | Promise]) -> None:
    OBJECT_LABELS.update(labels)


def event_label(code: str) -> str:
    """The event in words; an unnamed one as its code."""
    label = EVENT_LABELS.get(code)
    return str(label) if label is not None else code


def object_label(code: str) -> str:
    """The object type in words: a named one, else the model's verbose name ("app.Model"),
    else the code."""
    label = OBJECT_LABELS.get(code)
    if label is not None:
        return str(label)
    if "." in code:
        from django.apps import apps

        try:
            return str(apps.get_model(code)._meta.verbose_name).capitalize()
        except (LookupError, ValueError):
            pass
    return code
