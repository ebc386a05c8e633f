"""The permission matrix of the whole API: every operation × every user, with the designed status.

The designed status comes from the roles table (arrears.core.roles.CAPABILITIES) and the
scoping rules (arrears.core.scoping), never from what an endpoint happens to answer:

- a write needs its capability, checked before anything is looked up: a role without it, and
  the auditor (who changes nothing), get 403 whether or not the row exists;
- a row outside the user's scope is a 404, exactly like an ID that does not exist;
- otherwise the operation succeeds (200, 201 or 204), or answers the one state conflict the
  design names (a 409, marked where it appears).

The target of every row is L-CARL (team A, collector carl, field agent fay; see conftest.py)
with an open case and, as each row needs them, an activity, a promise, plans, documents,
notices, a complaint and a death report on that case. The rows are built lazily so each test
makes only what its operation touches; writes use valid bodies, so a 2xx means the write
really was allowed (each test runs in its own rolled-back transaction, on fresh data).

test_every_operation_has_a_row fails when an operation in the OpenAPI document has no row:
a new endpoint must be added here with its designed status.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from arrears.api.tests.conftest import BASE
from arrears.core.dates import local_today
from arrears.core.roles import READ_ONLY_ROLES, role_can

USERS = ("alice", "mia", "tom", "tina", "carl", "cora", "fay", "lee", "ada", "aud")
ROLE = {
    "alice": "admin",
    "mia": "manager",
    "tom": "team_lead",
    "tina": "team_lead",
    "carl": "collector",
    "cora": "collector",
    "fay": "field_agent",
    "lee": "legal",
    "ada": "agency",
    "aud": "auditor",
}
# Who can see L-CARL, its borrower B-CARL and its case: admin, manager and auditor read the
# whole book; tom leads team A; carl and fay are assigned. tina (team B), cora (another
# collector of team A), lee and ada (assigned elsewhere) cannot.
SEES_CARL = frozenset({"alice", "mia", "tom", "carl", "fay", "aud"})

PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)


def everyone(status: int = 200) -> dict[str, int]:
    """An unscoped read every signed-in user may make (lists are filtered, never refused)."""
    return dict.fromkeys(USERS, status)


def read() -> dict[str, int]:
    """A read of one row on L-CARL: 200 in scope, 404 (as for a missing ID) outside."""
    return {u: 200 if u in SEES_CARL else 404 for u in USERS}


def write(capability: str, ok: int = 200, **exceptions: int) -> dict[str, int]:
    """A write on L-CARL needing `capability`: 403 without it (and for the read-only auditor),
    before any lookup; then 404 outside the scope; otherwise `ok`. `exceptions` name users
    whose designed answer differs for a reason of state (commented where used)."""
    expected = {}
    for user in USERS:
        role = ROLE[user]
        if role in READ_ONLY_ROLES or not role_can(role, capability):
            expected[user] = 403
        elif user not in SEES_CARL:
            expected[user] = 404
        else:
            expected[user] = ok
    expected.update(exceptions)
    return expected


def capability_only(capability: str, ok: int = 200) -> dict[str, int]:
    """An operation on no particular loan: 403 without the capability, else `ok`."""
    return {
        u: 403 if ROLE[u] in READ_ONLY_ROLES or not role_can(ROLE[u], capability) else ok
        for u in USERS
    }


def reader(capability: str) -> dict[str, int]:
    """A read guarded by a capability alone (the audit trail): the auditor holds it."""
    return {u: 200 if role_can(ROLE[u], capability) else 403 for u in USERS}


# --- the objects the rows point at, built on demand ------------------------------------------


class Scene:
    """A collector's case (L-CARL's unless `who` says) and the rows hanging off it, each made
    (by that collector) when first asked for."""

    def __init__(self, people, book, who: str = "carl"):
        self.people = people
        self.book = book
        self.who = who

    @property
    def actor(self):
        return self.people[self.who]

    @cached_property
    def case(self):
        return open_case(self.book[self.who])

    @cached_property
    def full_due_fen(self) -> int:
        from arrears.plans.selectors import amount_due

        return amount_due(self.book[self.who]).full

    def _check(self, data: bytes):
        from arrears.jobs.imports import import_check

        return import_check(
            kind="payments",
            actor=self.people["mia"],
            filename="p.csv",
            chunks=[data],
            source="api",
        )

    @cached_property
    def check_job(self):
        """mia's clean check of a payments file on L-CARL, not yet committed."""
        job = self._check(payments_file())
        assert (job.status, job.result["errors_total"]) == ("succeeded", 0), job.result
        return job

    @cached_property
    def error_job(self):
        """mia's check of a payments file with a bad amount: it has an error file."""
        job = self._check(payments_file("一百"))
        assert job.error_file, job.result
        return job

    @cached_property
    def writeoff_proposal(self):
        """A write-off of L-CARL proposed by a third manager (so alice and mia may decide)."""
        from arrears.testing import make_user
        from arrears.writeoff.services import writeoff_propose

        return writeoff_propose(
            actor=make_user("wo_mgr", "manager"),
            loan_ids=[self.book["carl"].external_id],
            reason_code="other",
            reason="无力偿还",
        )

    @cached_property
    def activity(self):
        from arrears.activities.services import outcome_log

        return outcome_log(
            case=self.case,
            channel="call",
            outcome="right_party_contact",
            occurred_at=yesterday_at(10),
            actor=self.actor,
            source="api",
        )

    @cached_property
    def fact(self):
        from arrears.activities.recorded import fact_record

        return fact_record(
            case=self.case,
            kind="consent_outside_hours",
            on=local_today() - dt.timedelta(days=1),
            actor=self.actor,
            source="api",
        )

    @cached_property
    def promise(self):
        from arrears.promises.services import promise_record

        return promise_record(
            case=self.case,
            amount_fen=50_000,
            promised_on=local_today() + dt.timedelta(days=3),
            actor=self.actor,
            source="api",
        )

    def _plan(self, agreed_fen: int):
        from arrears.plans.services import plan_propose

        return plan_propose(
            case=self.case,
            kind="installment_plan",
            agreed_total_fen=agreed_fen,
            installments=(3, local_today() + dt.timedelta(days=10), "month"),
            actor=self.actor,
        )

    @cached_property
    def plan_approved(self):
        """No discount, three months: within a collector's authority, approved at once."""
        plan = self._plan(self.full_due_fen)
        assert plan.status == "approved", plan.status
        return plan

    @cached_property
    def plan_pending(self):
        """A 5% discount: beyond a collector's authority (0%), within a team lead's (10%)."""
        plan = self._plan(self.full_due_fen - self.full_due_fen * 5 // 100)
        assert (plan.status, plan.awaiting_role) == ("pending_approval", "team_lead")
        return plan

    @cached_property
    def document(self):
        from arrears.documents.services import document_file

        return document_file(
            fileobj=io.BytesIO(PDF_BYTES),
            filename="还款凭证.pdf",
            declared_type="application/pdf",
            category_code="payment_receipt",
            actor=self.actor,
            case=self.case,
        )

    @cached_property
    def old_document(self):
        """A document past the retention period (5 years in the shipped packs)."""
        from arrears.documents.models import Document

        doc = self.document
        Document.objects.filter(pk=doc.pk).update(
            uploaded_at=doc.uploaded_at - dt.timedelta(days=6 * 366)
        )
        return doc

    def _notice(self):
        from arrears.notices.models import NoticeTemplate
        from arrears.notices.services import notice_issue

        return notice_issue(
            case=self.case,
            template=NoticeTemplate.objects.get(code="cn_default", active=True),
            as_of=local_today(),
            pay_by=local_today() + dt.timedelta(days=30),
            actor=self.actor,
        )

    @cached_property
    def notice(self):
        return self._notice()

    @cached_property
    def notice_posted(self):
        """Served by post and not yet delivered or signed for."""
        from arrears.notices.services import notice_serve

        notice = self._notice()
        notice_serve(notice=notice, method="post", served_on=local_today(), actor=self.actor)
        return notice

    @cached_property
    def visit(self):
        """A field visit on the case by fay and tom yesterday (its path key is the visit ID)."""
        from types import SimpleNamespace

        from arrears.field.services import visit_record

        visit, _ = visit_record(
            visit_id="V-MATRIX",
            loan=self.case.loan,
            visited_on=local_today() - dt.timedelta(days=1),
            visited_at=dt.time(10, 0),
            collector=self.people["fay"],
            participants=[self.people["tom"]],
            recording_ref="REC-M",
            outcome="not_home",
        )
        return SimpleNamespace(pk=visit.visit_id)

    @cached_property
    def complaint(self):
        from arrears.cases.services import complaint_open

        return complaint_open(
            case=self.case, category="company", description="对催收方式不满", actor=self.actor
        )

    @cached_property
    def death_report(self):
        from arrears.cases.services import death_report_open

        return death_report_open(
            case=self.case, reported_on=local_today(), report_source="relative", actor=self.actor
        )

    @cached_property
    def estate_case(self):
        """The case under estate handling (as after a confirmed death report)."""
        from arrears.cases.models import Case

        Case.objects.filter(pk=self.case.pk).update(
            estate_handling=True, estate_handling_on=local_today()
        )
        return self.case

    @cached_property
    def handover(self):
        from arrears.strategy.models import HandOver

        return HandOver.objects.create(case=self.case, channel="visit", created_on=local_today())

    @cached_property
    def suspension(self):
        """carl's suspension of the case (停催) until a week from today."""
        from arrears.cases.suspension import case_suspend

        return case_suspend(
            case=self.case,
            reason="hospitalised",
            ends_on=local_today() + dt.timedelta(days=7),
            actor=self.people["carl"],
        )

    @cached_property
    def retention(self):
        """carl's retention (留案) of the case on the strength of a promise."""
        from arrears.cases.rotation import case_retain

        assert self.promise.status == "pending"
        return case_retain(case=self.case, actor=self.people["carl"], reason="月底还款")

    @cached_property
    def rule(self):
        from arrears.cases.models import AllocationRule

        return AllocationRule.objects.create(position=1, name="全部", team=self.team_a)

    @cached_property
    def absence(self):
        """carl's leave from tomorrow for three days."""
        from arrears.cases.models import Absence

        start = local_today() + dt.timedelta(days=1)
        return Absence.objects.create(
            user=self.people["carl"],
            starts_on=start,
            ends_on=start + dt.timedelta(days=2),
            reason="leave",
        )

    @property
    def team_a(self):
        return self.people["tom"].team

    @cached_property
    def assignment(self):
        """Today's move of the case from carl to cora (by the manager), undoable today."""
        from arrears.cases.assignment import assign_target, case_assign

        return case_assign(
            case=self.case,
            actor=self.people["mia"],
            target=assign_target(role="collector", user=self.people["cora"]),
            reason="轮换",
        )

    @cached_property
    def assist(self):
        """carl's request that lee help on the case, waiting for the team lead."""
        from arrears.cases.assignment import assist_request

        return assist_request(
            case=self.case,
            actor=self.people["carl"],
            user=self.people["lee"],
            reason="需要法务意见",
            until=local_today() + dt.timedelta(days=7),
        )

    # --- agencies (Agency One, ada's; L-CARL's case placed with it on demand) ------------
    @cached_property
    def agency(self):
        from decimal import Decimal

        from arrears.agencies.rules import Tier
        from arrears.agencies.services import contract_save
        from arrears.core.models import Agency

        agency = Agency.objects.get(name="Agency One")
        contract_save(
            agency=agency,
            number="C-ONE",
            valid_from=local_today() - dt.timedelta(days=100),
            valid_to=local_today() + dt.timedelta(days=100),
            approved=True,
            last_review_on=local_today() - dt.timedelta(days=10),
            tier_key="dpd",
            basis="all",
            tiers=[Tier(0, None, "", Decimal("0.15"))],
            actor=self.people["mia"],
        )
        agency.refresh_from_db()
        return agency

    @cached_property
    def batch(self):
        """L-CARL's case placed with Agency One from 10 days ago for 30 days."""
        from arrears.agencies.services import batch_place

        return batch_place(
            agency=self.agency,
            number="B-MATRIX",
            starts_on=local_today() - dt.timedelta(days=10),
            ends_on=local_today() + dt.timedelta(days=20),
            case_ids=[self.case.pk],
            actor=self.people["mia"],
        )

    @cached_property
    def agency_report(self):
        """ada's report of a payment the lender has not seen: waiting for a manager."""
        from arrears.agencies.services import agency_payment_report

        assert self.batch.placements.exists()  # the loan is with the agency
        return agency_payment_report(
            agency=self.agency,
            payment_id="AG-MATRIX",
            loan=self.case.loan,
            paid_on=local_today() - dt.timedelta(days=2),
            amount_fen=100_00,
            actor=self.people["ada"],
        )[0]


def open_case(loan, opened_on: dt.date = dt.date(2026, 3, 11)):
    from arrears.cases.models import Case

    return Case.objects.create(
        loan=loan,
        borrower=loan.borrower,
        opened_on=opened_on,
        bucket="M1",
        dpd=30,
        team=loan.team,
        collector=loan.collector,
        field_agent=loan.field_agent,
        legal_officer=loan.legal_officer,
        agency=loan.agency,
    )


def yesterday_at(hour: int) -> dt.datetime:
    from arrears.core.dates import local_zone

    day = local_today() - dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=local_zone())


def days(n: int) -> str:
    return (local_today() + dt.timedelta(days=n)).isoformat()


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# --- the matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    method: str
    template: str  # as in the OpenAPI document, without /api/v1
    expected: dict[str, int]
    # path parameter -> Scene attribute (its pk is used) or a literal value
    params: dict[str, str] = field(default_factory=dict)
    body: Callable[[Scene], Any] | None = None
    query: Callable[[Scene], dict] | None = None
    multipart: bool = False
    label: str = ""


LITERAL = {
    "month": f"{local_today():%Y-%m}",
    "loan_id": "L-CARL",
    "borrower_id": "B-CARL",
    "code": "victim",
    "kind": "payments",
    "which": "errors",
    "name": "loans",
    "strategy_code": "default",
    "number": 1,
    "role": "manager",
    "username": "carl",
}


def sees_mias_job() -> dict[str, int]:
    """A job mia started: hers, and every job for the roles that read everything."""
    return {u: 200 if u in ("alice", "mia", "aud") else 404 for u in USERS}


def payments_file(amount: str = "100.00") -> bytes:
    return f"payment_id,loan_id,paid_on,amount\nPM1,L-CARL,{local_today()},{amount}\n".encode()


def default_segments() -> list:
    from arrears.strategy.seed import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION["segments"]


def case_id(s: Scene) -> int:
    return s.case.pk


MATRIX: list[Row] = [
    Row("GET", "/me", everyone()),
    # --- the loan book --------------------------------------------------------------------
    Row("GET", "/loans", everyone()),
    Row("GET", "/loans/{loan_id}", read()),
    Row("GET", "/loans/{loan_id}", read(), query=lambda s: {"as_of": "2026-03-20"}, label="as_of"),
    Row("GET", "/loans/{loan_id}/schedule", read()),
    Row("GET", "/loans/{loan_id}/payoff", read()),
    Row("GET", "/loans/{loan_id}/payments", read()),
    Row("GET", "/loans/{loan_id}/charges", read()),
    Row(
        "POST",
        "/loans/{loan_id}/payments",
        write("payment.post", 201),
        body=lambda s: {"payment_id": "P-MATRIX", "paid_on": "2026-02-10", "amount": "888.49"},
    ),
    Row("GET", "/borrowers", everyone()),
    Row("GET", "/borrowers/{borrower_id}", read()),
    Row("GET", "/borrowers/{borrower_id}/loans", read()),
    Row(
        "POST",
        "/borrowers/{borrower_id}/reveal",
        write("pii.phone"),
        body=lambda s: {"field": "phone"},
        label="phone",
    ),
    Row(
        "POST",
        "/borrowers/{borrower_id}/reveal",
        write("pii.id_number"),
        body=lambda s: {"field": "id_number"},
        label="id_number",
    ),
    # --- cases: debtor types and playbooks ------------------------------------------------
    Row("GET", "/cases/debtor-types", everyone()),
    Row(
        "POST",
        "/cases/debtor-types",
        capability_only("playbook.edit", 201),
        body=lambda s: {"code": "matrix_type", "name_zh": "测试类型", "name_en": "Test type"},
    ),
    Row(
        "POST",
        "/cases/debtor-types/{code}",
        capability_only("playbook.edit"),
        body=lambda s: {"name_zh": "受害者型", "name_en": "Victim"},
    ),
    # --- cases ----------------------------------------------------------------------------
    Row("GET", "/cases", everyone()),
    Row("GET", "/cases/{case_id}", read()),
    Row(
        "POST",
        "/cases/{case_id}/debtor-type",
        write("case.work"),
        body=lambda s: {"code": "victim"},
    ),
    Row(
        "POST",
        "/cases/{case_id}/escalate",
        write("case.work"),
        body=lambda s: {"reason": "willful"},
        label="willful",
    ),
    Row(
        "POST",
        "/cases/{case_id}/escalate",
        write("case.legal_track"),
        body=lambda s: {"reason": "legal_track"},
        label="legal_track",
    ),
    Row("GET", "/cases/{case_id}/complaints", read()),
    Row(
        "POST",
        "/cases/{case_id}/complaints",
        write("case.work", 201),
        body=lambda s: {"category": "company", "description": "客户投诉催收电话过多"},
    ),
    Row(
        "POST",
        "/cases/complaints/{complaint_id}/assign",
        write("complaint.resolve"),
        params={"complaint_id": "complaint"},
        body=lambda s: {"owner": "tom"},
    ),
    Row(
        "POST",
        "/cases/complaints/{complaint_id}/resolve",
        write("complaint.resolve"),
        params={"complaint_id": "complaint"},
        body=lambda s: {"status": "resolved", "resolution": "已致电客户说明情况"},
    ),
    Row("GET", "/cases/{case_id}/death-reports", read()),
    Row(
        "POST",
        "/cases/{case_id}/death-reports",
        write("case.work", 201),
        body=lambda s: {"source": "relative", "source_detail": "客户之子来电"},
    ),
    Row(
        "POST",
        "/cases/death-reports/{report_id}/checklist",
        write("case.work"),
        params={"report_id": "death_report"},
        body=lambda s: {"relatives": {"checked": True, "note": "亲属证实"}},
    ),
    Row(
        "POST",
        "/cases/death-reports/{report_id}/decide",
        write("death.decide"),
        params={"report_id": "death_report"},
        body=lambda s: {"outcome": "false", "note": "客户本人接听电话"},
    ),
    Row(
        "POST",
        "/cases/{case_id}/estate",
        write("case.work"),
        params={"case_id": "estate_case"},
        body=lambda s: {
            "related_party_repays": True,
            "party_name": "王大",
            "party_relation": "父亲",
            "agreed_amount": "1000.00",
        },
    ),
    Row(
        "POST",
        "/cases/{case_id}/whereabouts",
        write("case.work", 201),
        body=lambda s: {"status": "moved_away", "detail": "在深圳打工"},
    ),
    Row("GET", "/cases/{case_id}/whereabouts", read()),
    # --- activities -----------------------------------------------------------------------
    Row("GET", "/activities", everyone()),
    Row("GET", "/activities", read(), query=lambda s: {"case": s.case.pk}, label="case"),
    Row(
        "POST",
        "/activities",
        write("case.work", 201),
        body=lambda s: {
            "case": s.case.pk,
            "channel": "call",
            "outcome": "right_party_contact",
            "occurred_at": yesterday_at(10).isoformat(),
            "duration_seconds": 60,
            "note": "客户表示月底还款",
        },
    ),
    Row("GET", "/activities/{activity_id}", read(), params={"activity_id": "activity"}),
    Row("GET", "/activities/facts", read(), query=lambda s: {"case": s.case.pk}),
    Row(
        "POST",
        "/activities/facts",
        write("case.work", 201),
        body=lambda s: {
            "case": s.case.pk,
            "kind": "opt_out",
            "on": (local_today() - dt.timedelta(days=1)).isoformat(),
            "channel": "sms",
        },
    ),
    Row(
        "POST",
        "/activities/facts/{fact_id}/withdraw",
        write("case.work"),
        params={"fact_id": "fact"},
        body=lambda s: {"reason": "债务人撤回"},
    ),
    Row("GET", "/activities/guarantees", read(), query=lambda s: {"case": s.case.pk}),
    # --- promises -------------------------------------------------------------------------
    Row("GET", "/promises", everyone()),
    Row("GET", "/promises", read(), query=lambda s: {"case": s.case.pk}, label="case"),
    Row(
        "POST",
        "/promises",
        write("case.work", 201),
        body=lambda s: {"case": s.case.pk, "amount": "500.00", "promised_on": days(3)},
    ),
    Row("GET", "/promises/{promise_id}", read(), params={"promise_id": "promise"}),
    # --- plans ----------------------------------------------------------------------------
    Row("GET", "/plans", everyone()),
    Row("GET", "/plans", read(), query=lambda s: {"case": s.case.pk}, label="case"),
    Row(
        "POST",
        "/plans",
        write("plan.propose", 201),
        body=lambda s: {
            "case": s.case.pk,
            "kind": "installment_plan",
            "agreed_total": yuan(s.full_due_fen),
            "count": 3,
            "first_due_on": days(10),
        },
    ),
    Row("GET", "/plans/{plan_id}", read(), params={"plan_id": "plan_approved"}),
    Row(
        "POST",
        "/plans/{plan_id}/decision",
        write("plan.approve"),
        params={"plan_id": "plan_pending"},
        body=lambda s: {"approve": True, "note": "同意"},
    ),
    Row(
        "POST",
        "/plans/{plan_id}/escalate",
        # The plan waits for a team lead: tom and mia pass it up a rung; an administrator
        # stands on the top rung, so there is nobody to pass it to (a state conflict).
        write("plan.approve", alice=409),
        params={"plan_id": "plan_pending"},
        body=lambda s: {"note": "折扣需经理审批"},
    ),
    Row(
        "POST",
        "/plans/{plan_id}/accept",
        write("plan.propose"),
        params={"plan_id": "plan_approved"},
        body=lambda s: {"accepted_on": days(0)},
    ),
    Row(
        "POST",
        "/plans/{plan_id}/cancel",
        # carl proposed the plan: he may withdraw it, and approvers may cancel it; fay sees
        # the case but neither proposed it nor approves (refused on the plan, after lookup).
        write("plan.propose", fay=403, tom=200, mia=200, alice=200),
        params={"plan_id": "plan_approved"},
        body=lambda s: {"note": "客户要求重新协商"},
    ),
    # --- write-off ------------------------------------------------------------------------
    Row("GET", "/writeoff/proposals", reader("writeoff.read")),
    Row(
        "POST",
        "/writeoff/proposals",
        capability_only("writeoff.propose", 201),
        body=lambda s: {"reason_code": "other", "reason": "无力偿还", "loans": ["L-CARL"]},
    ),
    Row(
        "GET",
        "/writeoff/proposals/{proposal_id}",
        reader("writeoff.read"),
        params={"proposal_id": "writeoff_proposal"},
    ),
    Row(
        "POST",
        "/writeoff/proposals/{proposal_id}/decision",
        capability_only("writeoff.approve"),
        params={"proposal_id": "writeoff_proposal"},
        body=lambda s: {"approve": True, "note": "同意核销"},
    ),
    Row(
        "POST",
        "/writeoff/proposals/{proposal_id}/cancel",
        # Only its proposer or an administrator withdraws it: mia is refused on the proposal.
        capability_only("writeoff.propose") | {"mia": 403},
        params={"proposal_id": "writeoff_proposal"},
        body=lambda s: {"note": ""},
    ),
    Row("GET", "/writeoff/ledger", reader("writeoff.read")),
    Row("GET", "/writeoff/totals", reader("writeoff.read")),
    Row("GET", "/writeoff/authority", reader("writeoff.read")),
    Row(
        "POST",
        "/writeoff/authority/{role}",
        capability_only("writeoff.authority"),
        body=lambda s: {"max_total": "300000.00"},
    ),
    # --- documents ------------------------------------------------------------------------
    Row("GET", "/documents/categories", everyone()),
    Row(
        "POST",
        "/documents",
        write("document.file", 201),
        multipart=True,
        body=lambda s: {
            "file": SimpleUploadedFile("凭证.pdf", PDF_BYTES, content_type="application/pdf"),
            "category": "payment_receipt",
            "case": s.case.pk,
        },
    ),
    Row("GET", "/documents", everyone()),
    Row("GET", "/documents/{document_id}", read(), params={"document_id": "document"}),
    Row("GET", "/documents/{document_id}/content", read(), params={"document_id": "document"}),
    Row(
        "POST",
        "/documents/{document_id}/delete",
        write("document.delete", 204),
        params={"document_id": "old_document"},
        body=lambda s: {"reason": "超过保存期限,按制度销毁"},
        label="past retention",
    ),
    Row(
        "POST",
        "/documents/{document_id}/delete",
        # Retention binds every role, the administrator included.
        write("document.delete", 409),
        params={"document_id": "document"},
        body=lambda s: {"reason": "上传错误,申请删除该文件"},
        label="within retention",
    ),
    # --- notices --------------------------------------------------------------------------
    Row("GET", "/notices/templates", everyone()),
    Row(
        "POST",
        "/notices",
        write("notice.issue", 201),
        body=lambda s: {
            "case": s.case.pk,
            "template": "cn_default",
            "as_of": days(0),
            "pay_by": days(30),
        },
    ),
    Row("GET", "/notices", everyone()),
    Row("GET", "/notices/{notice_id}", read(), params={"notice_id": "notice"}),
    Row("GET", "/notices/{notice_id}/pdf", read(), params={"notice_id": "notice"}),
    Row(
        "POST",
        "/notices/{notice_id}/serve",
        write("notice.serve"),
        params={"notice_id": "notice"},
        body=lambda s: {"method": "in_person", "served_on": days(0)},
    ),
    Row(
        "POST",
        "/notices/{notice_id}/deliver",
        write("notice.serve"),
        params={"notice_id": "notice_posted"},
        body=lambda s: {"delivered_on": days(0)},
    ),
    Row(
        "POST",
        "/notices/{notice_id}/sign",
        write("notice.serve"),
        params={"notice_id": "notice_posted"},
        multipart=True,
        body=lambda s: {
            "signed_on": days(0),
            "receipt": SimpleUploadedFile("回执.jpg", JPEG_BYTES, content_type="image/jpeg"),
        },
    ),
    # --- assignment (分案) and assists (协催) ------------------------------------------------
    # tina leads team B: she may assign, but not carl's case (a 404, as for any unseen row).
    Row(
        "POST",
        "/cases/{case_id}/assign",
        write("case.assign"),
        body=lambda s: {"role": "collector", "user": "cora", "reason": "轮换"},
    ),
    Row(
        "POST",
        "/cases/assign",
        write("case.assign"),
        body=lambda s: {
            "case_ids": [s.case.pk],
            "role": "field_agent",
            "user": "",
            "reason": "外访结束",
        },
    ),
    # By filter: what tina's filter matches in her scope is nothing, so nothing moves (200).
    Row(
        "POST",
        "/cases/assign",
        capability_only("case.assign"),
        body=lambda s: {
            "filter": {"q": "L-CARL", "status": "open"},
            "role": "field_agent",
            "user": "",
            "reason": "外访结束",
        },
        label="filter",
    ),
    Row("GET", "/cases/{case_id}/assignments", read()),
    Row(
        "POST",
        "/cases/assignments/{assignment_id}/undo",
        # The move took the case to cora: carl no longer sees it, cora (collector) may not undo.
        write("case.assign"),
        params={"assignment_id": "assignment"},
    ),
    Row("GET", "/cases/{case_id}/assists", read()),
    Row(
        "POST",
        "/cases/{case_id}/assists",
        write("case.work", ok=201),
        body=lambda s: {"user": "lee", "until": days(7), "reason": "需要法务意见"},
    ),
    Row(
        "POST",
        "/cases/assists/{assist_id}/decide",
        write("case.assign"),
        params={"assist_id": "assist"},
        body=lambda s: {"approve": True},
    ),
    Row(
        "POST",
        "/cases/assists/{assist_id}/end",
        # fay works the case but neither asked for the assist nor decides it.
        write("case.work", fay=403),
        params={"assist_id": "assist"},
    ),
    # --- allocation (分案), rotation (轮换), retention (留案), suspension (停催) -------------
    Row("GET", "/cases/{case_id}/suspensions", read()),
    Row(
        "POST",
        "/cases/{case_id}/suspend",
        write("case.work", ok=201),
        body=lambda s: {"reason": "hospitalised", "ends_on": days(5), "note": "住院"},
    ),
    Row(
        "POST",
        "/cases/suspensions/{suspension_id}/lift",
        write("case.work"),
        params={"suspension_id": "suspension"},
        body=lambda s: {"reason": "已出院"},
    ),
    Row(
        "POST",
        "/cases/{case_id}/retain",
        # Only the case's collector retains it (403 for the others who may work it).
        write("case.work", ok=201, alice=403, mia=403, tom=403, fay=403),
        body=lambda s: (s.promise, {"reason": "月底还款"})[1],
    ),
    Row(
        "POST",
        "/cases/retentions/{retention_id}/end",
        write("case.work", fay=403),
        params={"retention_id": "retention"},
        body=lambda s: {"reason": "承诺已兑现"},
    ),
    Row(
        "POST",
        "/cases/{case_id}/rotate",
        # Team A does not rotate (no holding period ends): only a team lead or manager moves
        # it; carl, who holds it, and fay may not.
        write("case.work", fay=403, carl=403),
        body=lambda s: {"reason": "联系不上"},
    ),
    Row("GET", "/allocation/rules", capability_only("case.assign")),
    Row(
        "POST",
        "/allocation/rules",
        capability_only("allocation.edit", 201),
        body=lambda s: {"name": "全部", "team": "Team A"},
    ),
    Row(
        "POST",
        "/allocation/rules/{rule_id}",
        capability_only("allocation.edit"),
        params={"rule_id": "rule"},
        body=lambda s: {"name": "全部", "team": "Team B", "position": 5},
    ),
    Row(
        "POST",
        "/allocation/rules/{rule_id}/delete",
        capability_only("allocation.edit"),
        params={"rule_id": "rule"},
    ),
    Row("GET", "/allocation/preview", capability_only("case.assign")),
    Row("POST", "/allocation/run", capability_only("case.assign")),
    Row("GET", "/allocation/absences", capability_only("case.assign")),
    Row(
        "POST",
        "/allocation/absences",
        # tina leads team B: carl is not hers.
        capability_only("case.assign", 201) | {"tina": 403},
        body=lambda s: {
            "user": "carl",
            "starts_on": days(1),
            "ends_on": days(3),
            "reason": "leave",
        },
    ),
    Row(
        "POST",
        "/allocation/absences/{absence_id}",
        # tina leads team B: carl's absence is not hers to see.
        capability_only("case.assign") | {"tina": 404},
        params={"absence_id": "absence"},
        body=lambda s: {"ends_on": days(5)},
    ),
    Row(
        "POST",
        "/allocation/absences/{absence_id}/cancel",
        capability_only("case.assign") | {"tina": 404},
        params={"absence_id": "absence"},
        body=lambda s: {"reason": "假期取消"},
    ),
    Row("GET", "/allocation/skills/{username}", capability_only("case.assign")),
    Row(
        "POST",
        "/allocation/skills/{username}",
        capability_only("case.assign") | {"tina": 403},
        body=lambda s: {
            "skills": [{"kind": "dialect", "label": "客家话", "region_prefix": "广东省/梅州市"}]
        },
    ),
    Row(
        "POST",
        "/allocation/teams/{team_id}",
        capability_only("allocation.edit"),
        params={"team_id": "team_a"},
        body=lambda s: {"rotation_days": 20, "retain_quota": 3},
    ),
    # --- the audit trail ------------------------------------------------------------------
    # --- jobs and imports (mia's checks of a payments file: one clean, one with an error) ---
    Row(
        "POST",
        "/imports/{kind}",
        capability_only("book.import", 202),
        multipart=True,
        body=lambda s: {"file": SimpleUploadedFile("p.csv", payments_file(), "text/csv")},
    ),
    Row("GET", "/jobs", everyone()),
    Row("GET", "/jobs/{job_id}", sees_mias_job(), params={"job_id": "error_job"}),
    Row("GET", "/jobs/{job_id}/files/{which}", sees_mias_job(), params={"job_id": "error_job"}),
    Row(
        "POST",
        "/jobs/{job_id}/commit",
        # ada may import a kind of file (her agency's payments, agency.report), so mia's job
        # is one she cannot see: 404, as for a job that does not exist.
        {**capability_only("book.import", 202), "ada": 404},
        params={"job_id": "check_job"},
    ),
    # An export is a read (the auditor may), written by a job in the background.
    Row(
        "POST",
        "/exports/{name}",
        {u: 202 if role_can(ROLE[u], "book.export") else 403 for u in USERS},
    ),
    # --- field visits ------------------------------------------------------------------------
    Row("GET", "/visits", everyone()),
    Row(
        "POST",
        "/visits",
        write("case.work", 201),
        body=lambda s: {
            "visit_id": "V-NEW",
            # s.case opens the case (a Missing scene has none: an ID that does not exist)
            "loan_id": getattr(getattr(s.case, "loan", None), "external_id", "L-NOSUCH"),
            "visited_on": days(-1),
            "visited_at": f"{days(-1)}T10:00:00+08:00",
            "participants": ["tom", "fay"],
            "recording_ref": "REC-N",
            "outcome": "not_home",
        },
    ),
    Row("GET", "/visits/{visit_id}", read(), params={"visit_id": "visit"}),
    Row(
        "POST",
        "/visits/{visit_id}/photos",
        write("document.file", 201),
        params={"visit_id": "visit"},
        multipart=True,
        body=lambda s: {
            "file": SimpleUploadedFile("现场.jpg", JPEG_BYTES, content_type="image/jpeg")
        },
    ),
    Row("GET", "/predue", reader("predue.read")),
    Row("GET", "/reports", everyone()),
    # The literal name is no report: readers learn that (404), others are refused first (403).
    Row(
        "GET",
        "/reports/{name}",
        {u: 404 if role_can(ROLE[u], "report.read") else 403 for u in USERS},
    ),
    # The credit hold check: those whose role holds credit_hold.check (the auditor changes
    # nothing but a check is audited, so it is refused too); the body is an unknown number.
    Row(
        "POST",
        "/credit-hold/check",
        {
            u: 200 if role_can(ROLE[u], "credit_hold.check") and ROLE[u] != "auditor" else 403
            for u in USERS
        },
        body=lambda s: {"id_number": "11010519491231002X"},
    ),
    # --- strategies (configuration: read by strategy.read, saved by strategy.edit) ------------
    Row("GET", "/strategies", reader("strategy.read")),
    Row(
        "POST",
        "/strategies/validate",
        reader("strategy.read"),
        body=lambda s: {"segments": default_segments()},
    ),
    Row("GET", "/strategies/{strategy_code}", reader("strategy.read")),
    Row("GET", "/strategies/{strategy_code}/versions", reader("strategy.read")),
    Row("GET", "/strategies/{strategy_code}/versions/{number}", reader("strategy.read")),
    Row(
        "POST",
        "/strategies/{strategy_code}/versions",
        capability_only("strategy.edit", 201),
        body=lambda s: {"segments": default_segments(), "note": "matrix"},
    ),
    Row("GET", "/cases/{case_id}/treatment", read()),
    Row("GET", "/strategies/handovers", everyone()),
    Row(
        "POST",
        "/strategies/handovers/{handover_id}/take",
        write("case.work"),
        params={"handover_id": "handover"},
    ),
    Row(
        "POST",
        "/strategies/handovers/{handover_id}/close",
        write("case.work"),
        params={"handover_id": "handover"},
        body=lambda s: {"outcome": "done", "ref": "V-1"},
    ),
    # Queues: everyone reads the queues their scope holds (their own, a lead's team, all);
    # the cases left out by the compliance rules are for those who oversee.
    Row("GET", "/queues", everyone()),
    Row("GET", "/queues/exclusions", reader("queue.oversee")),
    Row(
        "POST",
        "/cases/{case_id}/colour",
        write("case.colour"),
        body=lambda s: {"colour": "red"},
    ),
    Row("GET", "/audit", reader("audit.read")),
    Row("GET", "/audit/export", reader("audit.read")),
    Row("GET", "/audit/verify", reader("audit.read")),
    # --- agencies (委外): managers and auditors read, managers act; ada sees her agency ----
    Row("GET", "/agencies", everyone()),
    Row(
        "GET",
        "/agencies/{agency_id}",
        {u: 200 if u in ("alice", "mia", "aud", "ada") else 404 for u in USERS},
        params={"agency_id": "agency"},
    ),
    Row(
        "POST",
        "/agencies/{agency_id}/contracts",
        capability_only("agency.manage", 201),
        params={"agency_id": "agency"},
        body=lambda s: {
            "number": "C-TWO",
            "valid_from": days(0),
            "valid_to": days(300),
            "approved": True,
            "last_review_on": days(0),
            "tier_key": "dpd",
            "basis": "credited",
            "tiers": [{"low": 0, "high": 90, "rate": "0.15"}, {"low": 90, "rate": "0.2"}],
        },
    ),
    Row(
        "POST",
        "/agencies/{agency_id}/review",
        capability_only("agency.manage"),
        params={"agency_id": "agency"},
        body=lambda s: {"reviewed_on": days(0)},
    ),
    Row(
        "POST",
        "/agencies/{agency_id}/ip-ranges",
        capability_only("agency.manage"),
        params={"agency_id": "agency"},
        body=lambda s: {"networks": ["203.0.113.0/24"]},
    ),
    Row(
        "GET",
        "/agencies/{agency_id}/statements/{month}",
        {u: 200 if u in ("alice", "mia", "aud") else 404 for u in USERS},
        params={"agency_id": "agency"},
    ),
    Row(
        "GET",
        "/agencies/performance",
        reader("agency.read"),
        query=lambda s: {"date_from": days(-60), "date_to": days(0)},
    ),
    Row("GET", "/agencies/batches", everyone()),
    Row(
        "GET",
        "/agencies/batches/{batch_id}",
        {u: 200 if u in ("alice", "mia", "aud") else 404 for u in USERS},
        params={"batch_id": "batch"},
    ),
    Row(
        "POST",
        "/agencies/batches",
        capability_only("agency.manage", 201),
        body=lambda s: {
            "agency": s.agency.pk,
            "number": "B-API",
            "starts_on": days(0),
            "ends_on": days(30),
            "cases": [s.case.pk],
        },
    ),
    Row(
        "POST",
        "/agencies/batches/{batch_id}/recall",
        capability_only("agency.manage"),
        params={"batch_id": "batch"},
    ),
    Row("GET", "/agencies/placements", everyone()),
    Row("GET", "/agencies/payments", everyone()),
    Row(
        "POST",
        "/agencies/payments",
        capability_only("agency.report", 201),
        body=lambda s: {
            "agency": s.batch and s.agency.pk,  # placed first, so the loan is the agency's
            "payment_id": "AG-API",
            "loan_id": "L-CARL",
            "paid_on": days(-1),
            "amount": "88.00",
        },
    ),
    Row(
        "POST",
        "/agencies/payments/{report_id}/decide",
        capability_only("agency.manage"),
        params={"report_id": "agency_report"},
        body=lambda s: {"decision": "reject", "note": "not in the bank statement"},
    ),
]


def row_id(row: Row) -> str:
    return f"{row.method} {row.template}" + (f" [{row.label}]" if row.label else "")


CASES = [
    pytest.param(row, user, row.expected[user], id=f"{row_id(row)} {user}")
    for row in MATRIX
    for user in USERS
]


@pytest.fixture(autouse=True)
def document_store(settings, tmp_path):
    settings.ARREARS_DOCUMENT_ROOT = tmp_path / "documents"
    return settings.ARREARS_DOCUMENT_ROOT


@pytest.fixture
def scene(people, book):
    borrower = book["carl"].borrower
    borrower.id_number = "510100198501010015"
    borrower.save()
    return Scene(people, book)


def concrete(row: Row, scene: Scene) -> str:
    values = {}
    for name in _param_names(row.template):
        attr = row.params.get(name)
        if attr is not None:
            values[name] = getattr(scene, attr).pk
        elif name == "case_id":
            values[name] = scene.case.pk
        else:
            values[name] = LITERAL[name]
    return row.template.format(**values)


def _param_names(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def call(api, row: Row, scene: Scene):
    path = BASE + concrete(row, scene)
    query = row.query(scene) if row.query else {}
    if row.method == "GET":
        return api.client.get(path, query, headers=api.headers)
    body = row.body(scene) if row.body else {}
    if row.multipart:
        return api.client.post(path, body, headers=api.headers)
    return api.post(concrete(row, scene), body)


@pytest.mark.parametrize(("row", "username", "status"), CASES)
def test_permission_matrix(scene, api_as, people, row, username, status):
    assert people[username].role == ROLE[username]
    response = call(api_as(username), row, scene)
    assert response.status_code == status, (response.status_code, response.content[:500])
    if status in (403, 404):
        [error] = response.json()["errors"]
        assert error["code"] == ("forbidden" if status == 403 else "not_found"), error


def _operations() -> set[tuple[str, str]]:
    from arrears.api.router import api

    prefix = BASE
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path.removeprefix(prefix))
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_operation_has_a_row():
    operations = _operations()
    covered = {(row.method, row.template) for row in MATRIX}
    missing = sorted(operations - covered)
    assert not missing, f"operations without a row in the permission matrix: {missing}"
    stale = sorted(covered - operations)
    assert not stale, f"rows for operations the API no longer has: {stale}"


def test_every_row_names_every_user():
    for row in MATRIX:
        assert set(row.expected) == set(USERS), row_id(row)


# --- a refusal says nothing about whether the row exists ------------------------------------


class Missing:
    """A scene whose every row is an ID that does not exist (bodies stay otherwise valid)."""

    full_due_fen = 100_000

    def __getattr__(self, name):
        from types import SimpleNamespace

        return SimpleNamespace(pk=987_654_321)


MISSING_LITERAL = {
    "month": "2026-01",
    "loan_id": "L-NOSUCH",
    "borrower_id": "B-NOSUCH",
    "code": "nosuch",
    "kind": "nosuch",
    "which": "errors",
    "name": "nosuch",
    "strategy_code": "nosuch",
    "number": 99,
    "role": "manager",
    "username": "carl",
}

# Refusals about the row itself, not the role: only the case's collector retains it, fay
# neither holds nor leads carl's case, and carl is not in tina's team.
STATE_REFUSED = {
    "/cases/{case_id}/retain": ("alice", "mia", "tom", "fay"),
    "/cases/retentions/{retention_id}/end": ("fay",),
    "/cases/{case_id}/rotate": ("fay", "carl"),
    "/allocation/absences": ("tina",),
    "/allocation/skills/{username}": ("tina",),
}

REFUSED = [
    pytest.param(row, user, id=f"{row_id(row)} {user}")
    for row in MATRIX
    if row.method == "POST"
    for user in USERS
    if row.expected[user] == 403
    # fay's refusal to cancel carl's plan is about that plan (she did not propose it); to end
    # carl's assist likewise.
    and not (
        row.template in ("/plans/{plan_id}/cancel", "/cases/assists/{assist_id}/end")
        and user == "fay"
    )
    # mia may cancel write-off proposals, only not one she did not propose.
    and not (row.template == "/writeoff/proposals/{proposal_id}/cancel" and user == "mia")
    # ada may import agency payments: a payments file is refused for its kind, a kind that
    # does not exist is a 404 like any missing thing.
    and not (row.template == "/imports/{kind}" and user == "ada")
    and user not in STATE_REFUSED.get(row.template, ())
]


@pytest.mark.parametrize(("row", "username"), REFUSED)
def test_a_refused_write_is_refused_before_any_lookup(people, api_as, monkeypatch, row, username):
    """A role without the capability gets the same 403 on an ID that does not exist."""
    monkeypatch.setattr(f"{__name__}.LITERAL", MISSING_LITERAL)
    response = call(api_as(username), row, Missing())
    assert response.status_code == 403, (response.status_code, response.content[:500])
    assert response.json()["errors"][0]["code"] == "forbidden"


# --- a collector cannot reach another collector's rows by guessing IDs ----------------------


NOSUCH = 987_654_321


@pytest.fixture
def coras(people, book):
    """cora's case (L-CORA, team A, same team as carl) with one of everything on it."""
    cora = Scene(people, book, who="cora")
    for name in (
        "activity",
        "promise",
        "plan_approved",
        "document",
        "notice",
        "complaint",
        "death_report",
    ):
        getattr(cora, name)
    return cora


def _same_as_missing(api, method, path, real_id, body=None, *, multipart=False):
    """Call `path` with the real ID and with one that does not exist; the answers must match."""
    answers = []
    for pk in (real_id, NOSUCH):
        concrete_path = path.format(id=pk)
        concrete_body = body(pk) if callable(body) else body
        if method == "GET":
            response = api.client.get(BASE + concrete_path, headers=api.headers)
        elif multipart:
            response = api.client.post(BASE + concrete_path, concrete_body, headers=api.headers)
        else:
            response = api.post(concrete_path, concrete_body)
        text = response.content.decode().replace(str(pk), "<id>")
        answers.append((response.status_code, text))
    assert answers[0] == answers[1], (path, answers)
    return answers[0][0]


def test_carl_cannot_reach_coras_rows_by_guessing_ids(people, book, api_as, coras):
    from arrears.notices.models import Notice

    carl = api_as("carl")
    c = coras
    gets = [
        ("/cases/{id}", c.case.pk),
        ("/cases/{id}/complaints", c.case.pk),
        ("/cases/{id}/death-reports", c.case.pk),
        ("/cases/{id}/whereabouts", c.case.pk),
        ("/activities/{id}", c.activity.pk),
        ("/activities?case={id}", c.case.pk),
        ("/promises/{id}", c.promise.pk),
        ("/promises?case={id}", c.case.pk),
        ("/plans/{id}", c.plan_approved.pk),
        ("/plans?case={id}", c.case.pk),
        ("/documents/{id}", c.document.pk),
        ("/documents?case={id}", c.case.pk),
        ("/documents/{id}/content", c.document.pk),
        ("/notices/{id}", c.notice.pk),
        ("/notices?case={id}", c.case.pk),
        ("/notices/{id}/pdf", c.notice.pk),
    ]
    for path, pk in gets:
        assert _same_as_missing(carl, "GET", path, pk) == 404, path
    for path in ("/borrowers/{id}", "/borrowers/{id}/loans", "/loans/{id}"):
        prefix = "L-" if path.startswith("/loans") else "B-"
        answers = [carl.get(path.format(id=prefix + name)) for name in ("CORA", "NOSUCH")]
        assert [a.status_code for a in answers] == [404, 404], path
        assert answers[0].json() == answers[1].json(), path

    # The writes carl may make on his own rows: on cora's they answer as for a missing ID.
    writes = [
        ("/cases/{id}/debtor-type", c.case.pk, {"code": "victim"}),
        ("/cases/{id}/escalate", c.case.pk, {"reason": "willful"}),
        ("/cases/{id}/complaints", c.case.pk, {"category": "company", "description": "投诉"}),
        ("/cases/{id}/death-reports", c.case.pk, {"source": "relative"}),
        ("/cases/{id}/whereabouts", c.case.pk, {"status": "located"}),
        (
            "/cases/death-reports/{id}/checklist",
            c.death_report.pk,
            {"contacts": {"checked": True}},
        ),
        ("/plans/{id}/accept", c.plan_approved.pk, {"accepted_on": days(0)}),
        ("/plans/{id}/cancel", c.plan_approved.pk, {"note": ""}),
        ("/notices/{id}/serve", c.notice.pk, {"method": "in_person", "served_on": days(0)}),
        ("/notices/{id}/deliver", c.notice.pk, {"delivered_on": days(0)}),
    ]
    for path, pk, body in writes:
        assert _same_as_missing(carl, "POST", path, pk, body) == 404, path
    # ...and so do the writes that name a case in the body.
    bodies = [
        ("/promises", lambda pk: {"case": pk, "amount": "100.00", "promised_on": days(3)}),
        (
            "/plans",
            lambda pk: {
                "case": pk,
                "kind": "settlement",
                "agreed_total": "100.00",
                "count": 1,
                "first_due_on": days(3),
            },
        ),
        (
            "/activities",
            lambda pk: {
                "case": pk,
                "channel": "call",
                "outcome": "no_answer",
                "occurred_at": yesterday_at(10).isoformat(),
            },
        ),
        (
            "/notices",
            lambda pk: {"case": pk, "template": "cn_default", "as_of": days(0), "pay_by": days(9)},
        ),
    ]
    for path, body in bodies:
        assert _same_as_missing(carl, "POST", path, c.case.pk, body) == 404, path
    upload = lambda pk: {  # noqa: E731
        "file": SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf"),
        "category": "payment_receipt",
        "case": pk,
    }
    assert _same_as_missing(carl, "POST", "/documents", c.case.pk, upload, multipart=True) == 404
    # Complaints are decided by team leads: tina (team B) cannot reach team A's.
    tina = api_as("tina")
    resolve = {"status": "resolved", "resolution": "已处理"}
    path = "/cases/complaints/{id}/resolve"
    assert _same_as_missing(tina, "POST", path, c.complaint.pk, resolve) == 404
    path = "/cases/complaints/{id}/assign"
    assert _same_as_missing(tina, "POST", path, c.complaint.pk, {"owner": "tina"}) == 404
    # carl may not resolve complaints at all: the same 403 whether the complaint exists or not.
    assert _same_as_missing(carl, "POST", path, c.complaint.pk, {"owner": "tom"}) == 403
    assert Notice.objects.get(pk=c.notice.pk).served_on is None  # nothing was changed


def test_carl_cannot_attach_coras_document_as_evidence(people, book, api_as, coras):
    """Evidence on carl's own death report: cora's document answers as a missing one."""
    mine = Scene(people, book)
    path = f"/cases/death-reports/{mine.death_report.pk}/checklist"
    carl = api_as("carl")
    answers = []
    for pk in (coras.document.pk, NOSUCH):
        response = carl.post(path, {"evidence": [pk]})
        answers.append((response.status_code, response.content.decode().replace(str(pk), "<id>")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422
    assert not mine.death_report.evidence.exists()


@pytest.mark.parametrize("username", USERS)
def test_carls_lists_hold_none_of_coras_rows(people, book, api_as, coras, username):
    """The lists show a row exactly when its case is in the user's scope."""
    sees_cora = username in {"alice", "mia", "tom", "cora", "aud"}
    api = api_as(username)
    for path in ("/cases", "/activities", "/promises", "/plans", "/documents", "/notices"):
        ids = {row.get("case_id", row.get("id")) for row in api.get(path).json()["items"]}
        assert (coras.case.pk in ids) == sees_cora, (path, ids)
