"""Writes of the agencies app: contracts and their tiers, reviews, sign-in ranges, placing a
batch, recalling, and the payments agencies report with the manager's decision on them.

Every function checks the actor's capability, runs in one transaction and writes its audit
entries in it. A placement sets Case.agency (what core.scoping reads for agency users) and a
recall clears it; the Placement rows stay on the case as its history. See docs/agencies.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.agencies import rules
from arrears.agencies.errors import AgencyConflict, AgencyForbidden, AgencyInvalid
from arrears.agencies.models import (
    AgencyIpRange,
    AgencyPayment,
    CommissionTier,
    Contract,
    Placement,
    PlacementBatch,
)
from arrears.book.models import Loan, Payment
from arrears.cases.models import Case, Complaint, DeathReport
from arrears.core.audit import AuditItem, audit_record, audit_record_many
from arrears.core.dates import local_today
from arrears.core.models import Agency, User
from arrears.core.roles import Role
from arrears.core.scoping import cases_for

MANAGE = "agency.manage"
REPORT = "agency.report"
NUMBER_MAX = 40


def _require(actor: User | None, capability: str, what: str) -> None:
    if actor is None:
        return
    if not actor.is_authenticated or actor.is_read_only or not actor.can(capability):
        raise AgencyForbidden(_("Your role may not %(what)s.") % {"what": what})


def bucket_labels() -> list[str]:
    from arrears.eod.config import DEFAULT_BUCKETS

    buckets = getattr(settings, "ARREARS_EOD_BUCKETS", None) or DEFAULT_BUCKETS
    return [b[0] for b in buckets]


# ------------------------------------------------------------------------ contracts


def contract_save(
    *,
    agency: Agency,
    number: str,
    valid_from: dt.date,
    valid_to: dt.date,
    approved: bool,
    last_review_on: dt.date | None,
    tier_key: str,
    basis: str,
    tiers: Sequence[rules.Tier],
    actor: User | None,
    source: str = "web",
    contract: Contract | None = None,
) -> Contract:
    """Create or replace a contract with its tiers; the tiers are checked to cover their
    range with no gap or overlap (the error names the tiers). The agency's next review is
    set from the latest review date of its contracts."""
    _require(actor, MANAGE, "manage agency contracts")
    number = (number or "").strip()
    if not number or len(number) > 64:
        raise AgencyInvalid("number", _("Give a contract number (at most 64 characters)."))
    if tier_key not in Contract.TierKey.values:
        raise AgencyInvalid("tier_key", _("Choose what the tiers are keyed by."))
    if basis not in Contract.Basis.values:
        raise AgencyInvalid("basis", _("Choose the commission basis."))
    if valid_from is None or valid_to is None or valid_to < valid_from:
        raise AgencyInvalid("valid_to", _("The contract must end on or after its start."))
    problems = rules.check_tiers(tier_key, tiers, buckets=bucket_labels())
    if problems:
        raise AgencyInvalid("tiers", "; ".join(problems), code="bad_tiers")
    clash = Contract.objects.filter(number=number)
    if contract is not None:
        clash = clash.exclude(pk=contract.pk)
    if clash.exists():
        raise AgencyInvalid("number", _("Contract %(n)s exists already.") % {"n": number})
    with transaction.atomic():
        before = None
        if contract is None:
            contract = Contract(agency=agency)
        else:
            contract = Contract.objects.select_for_update().get(pk=contract.pk)
            before = _contract_view(contract)
        contract.number = number
        contract.valid_from, contract.valid_to = valid_from, valid_to
        contract.approved = bool(approved)
        contract.last_review_on = last_review_on
        contract.tier_key, contract.basis = tier_key, basis
        contract.save()
        contract.tiers.all().delete()
        CommissionTier.objects.bulk_create(
            CommissionTier(contract=contract, low=t.low, high=t.high, value=t.value, rate=t.rate)
            for t in tiers
        )
        _sync_review_due(contract.agency)
        audit_record(
            actor=actor,
            event="agency.contract_save",
            object_type="agency_contract",
            object_id=contract.pk,
            before=before,
            after=_contract_view(contract),
            source=source,
        )
    return contract


def _contract_view(contract: Contract) -> dict:
    return {
        "agency": contract.agency.name,
        "number": contract.number,
        "valid_from": contract.valid_from,
        "valid_to": contract.valid_to,
        "approved": contract.approved,
        "last_review_on": contract.last_review_on,
        "tier_key": contract.tier_key,
        "basis": contract.basis,
        "tiers": [
            {"tier": t.label(), "rate": str(t.rate)}
            for t in contract.tiers.order_by("low", "value")
        ],
    }


def _sync_review_due(agency: Agency) -> None:
    latest = (
        Contract.objects.filter(agency=agency, last_review_on__isnull=False)
        .order_by("-last_review_on")
        .values_list("last_review_on", flat=True)
        .first()
    )
    due = rules.review_due(latest)
    if agency.review_due_on != due:
        Agency.objects.filter(pk=agency.pk).update(review_due_on=due)
        agency.review_due_on = due


def agency_review_record(
    *, agency: Agency, reviewed_on: dt.date, actor: User | None, source: str = "web"
) -> Agency:
    """Record the agency's yearly review on its current contracts; the next is due a year on."""
    _require(actor, MANAGE, "record agency reviews")
    if reviewed_on is None or reviewed_on > local_today():
        raise AgencyInvalid("reviewed_on", _("A review date cannot be in the future."))
    with transaction.atomic():
        before = agency.review_due_on
        current = Contract.objects.filter(agency=agency, valid_to__gte=reviewed_on)
        if not current.exists():
            raise AgencyInvalid(
                "reviewed_on", _("The agency has no contract in force to record a review on.")
            )
        current.update(last_review_on=reviewed_on)
        _sync_review_due(agency)
        audit_record(
            actor=actor,
            event="agency.review",
            object_type="agency",
            object_id=agency.pk,
            before={"review_due_on": before},
            after={"reviewed_on": reviewed_on, "review_due_on": agency.review_due_on},
            source=source,
        )
    return agency


def agency_ip_ranges_set(
    *, agency: Agency, networks: Iterable[str], actor: User | None, source: str = "web"
) -> list[str]:
    """Replace the address ranges the agency's users may sign in from (none: anywhere)."""
    _require(actor, MANAGE, "set agency sign-in ranges")
    clean: list[str] = []
    for raw in networks:
        if not raw or not raw.strip():
            continue
        try:
            net = rules.parse_network(raw)
        except ValueError:
            raise AgencyInvalid(
                "networks", _("%(v)s is not an address range (e.g. 203.0.113.0/24).") % {"v": raw}
            ) from None
        if net not in clean:
            clean.append(net)
    with transaction.atomic():
        before = list(agency.ip_ranges.values_list("network", flat=True))
        agency.ip_ranges.all().delete()
        AgencyIpRange.objects.bulk_create(AgencyIpRange(agency=agency, network=n) for n in clean)
        audit_record(
            actor=actor,
            event="agency.ip_ranges",
            object_type="agency",
            object_id=agency.pk,
            before={"networks": before},
            after={"networks": clean},
            source=source,
        )
    return clean


def signin_refusal(user: User, ip: str | None) -> str | None:
    """Why `user` may not sign in (or call the API) from `ip`, or None: an agency user only
    from the agency's listed ranges, when it lists any."""
    if user.role != Role.AGENCY or not user.agency_id:
        return None
    networks = list(
        AgencyIpRange.objects.filter(agency_id=user.agency_id).values_list("network", flat=True)
    )
    if rules.ip_allowed(ip, networks):
        return None
    return _("Your agency signs in only from its registered addresses; %(ip)s is not one.") % {
        "ip": ip or "?"
    }


# ------------------------------------------------------------------------ placements


def contract_in_force(agency: Agency, on: dt.date) -> Contract | None:
    """The approved contract of the agency valid on `on` (the latest starting, if several)."""
    return (
        Contract.objects.filter(agency=agency, approved=True, valid_from__lte=on, valid_to__gte=on)
        .order_by("-valid_from", "-id")
        .first()
    )


def _step(agency: Agency, on: dt.date):
    from arrears.compliance.rules import STEP_AGENCY_PLACEMENT, Step

    return Step(STEP_AGENCY_PLACEMENT, on, agency_review_due_on=agency.review_due_on)


def _blocking(decision) -> list:
    return decision.blocking


def _said(outcome) -> str:
    from django.utils.translation import get_language

    zh = (get_language() or "").startswith("zh")
    return outcome.message_zh if zh else outcome.message_en


def placement_refusal(agency: Agency, on: dt.date) -> str | None:
    """Why the agency may not receive placements starting `on`, or None: no approved contract
    valid that day, or overdue for its yearly review (the rule pack's agency_review rule,
    judged by compliance.rules.may_schedule_step; RULES.md)."""
    from arrears.compliance.rules import CaseFacts, may_schedule_step
    from arrears.compliance.selectors import default_pack_code, pack_current

    if contract_in_force(agency, on) is None:
        return _("%(agency)s has no approved contract valid on %(day)s.") % {
            "agency": agency.name,
            "day": on,
        }
    pack = pack_current(default_pack_code())
    if pack is None:
        return None
    # Facts that satisfy every case-level rule: only the agency's own standing is judged here.
    facts = CaseFacts(forbearance_offered=True)
    blocking = _blocking(may_schedule_step(_step(agency, on), facts, pack=pack))
    if blocking:
        if agency.review_due_on is None:
            return _(
                "%(agency)s has no review date on record: no placements until it is reviewed."
            ) % {"agency": agency.name}
        return _(
            "%(agency)s is overdue for its yearly review (due %(day)s): no placements until "
            "it is reviewed."
        ) % {"agency": agency.name, "day": agency.review_due_on}
    return None


def _case_refusals(cases: Sequence[Case], agency: Agency, on: dt.date) -> list[str]:
    """Cases the rule pack of their product forbids placing (e.g. UK: forbearance first).

    A pack whose rules pass a case with the worst facts needs no per-case look-up."""
    from arrears.activities.facts import base_facts, pack_for_case
    from arrears.cases.selectors import suspension_facts
    from arrears.compliance.rules import CaseFacts, may_schedule_step

    worst = CaseFacts(forbearance_offered=False, time_barred=True)
    # Suspensions (停催) in one query: a suspended case is refused whatever its pack says.
    held = suspension_facts([c.pk for c in cases], since=on)
    needs: dict[int, bool] = {}
    out = []
    for case in cases:
        pack = pack_for_case(case)
        if pack.pk not in needs:
            needs[pack.pk] = bool(_blocking(may_schedule_step(_step(agency, on), worst, pack=pack)))
        if needs[pack.pk]:
            facts = base_facts(case)
        elif case.pk in held:
            facts = CaseFacts(forbearance_offered=True, suspensions=held[case.pk])
        else:
            continue
        blocking = _blocking(may_schedule_step(_step(agency, on), facts, pack=pack))
        if blocking:
            out.append(f"{case.pk}: {_said(blocking[0])}")
    return out


def _owed(loan_ids: Sequence[int]) -> dict[int, int]:
    from arrears.eod.models import LoanState

    out: dict[int, int] = {}
    for row in LoanState.objects.filter(loan_id__in=loan_ids).values(
        "loan_id", "outstanding_principal_fen", "overdue_interest_fen", "penalty_fen", "fees_fen"
    ):
        out[row["loan_id"]] = (
            row["outstanding_principal_fen"]
            + row["overdue_interest_fen"]
            + row["penalty_fen"]
            + row["fees_fen"]
        )
    return out


def batch_place(
    *,
    agency: Agency,
    number: str,
    starts_on: dt.date,
    ends_on: dt.date,
    case_ids: Iterable[int],
    actor: User | None,
    source: str = "web",
) -> PlacementBatch:
    """Place open cases with an agency in one batch (委案): refused as a whole if the agency
    may not receive placements, a case is closed, out of the actor's sight, or with an agency
    already, or no tier of the contract covers it."""
    _require(actor, MANAGE, "place cases with agencies")
    number = (number or "").strip()
    if not number or len(number) > NUMBER_MAX:
        raise AgencyInvalid("number", _("Give a batch number (at most 40 characters)."))
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise AgencyInvalid("ends_on", _("The batch must end on or after its start."))
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise AgencyInvalid("cases", _("Choose at least one case."))
    refusal = placement_refusal(agency, starts_on)
    if refusal:
        raise AgencyConflict(refusal, field="agency", code="agency_refused")
    contract = contract_in_force(agency, starts_on)
    if PlacementBatch.objects.filter(number=number).exists():
        raise AgencyInvalid("number", _("Batch %(n)s exists already.") % {"n": number})
    scope = cases_for(actor) if actor is not None else Case.objects.all()
    cases = list(
        scope.filter(pk__in=ids)
        .select_related("loan__product", "borrower", "agency")
        .order_by("pk")
    )
    found = {c.pk for c in cases}
    missing = [i for i in ids if i not in found]
    if missing:
        raise AgencyInvalid(
            "cases", _("No such case: %(ids)s.") % {"ids": ", ".join(map(str, missing[:20]))}
        )
    closed = [c.pk for c in cases if c.status != Case.Status.OPEN]
    if closed:
        raise AgencyConflict(
            _("Closed cases cannot be placed: %(ids)s.")
            % {"ids": ", ".join(map(str, closed[:20]))},
            field="cases",
        )
    placed = list(
        Placement.objects.filter(case_id__in=ids, status=Placement.Status.ACTIVE)
        .select_related("agency")
        .order_by("case_id")
    )
    if placed:
        raise AgencyConflict(
            _("A case sits with one agency at a time; already placed: %(list)s.")
            % {"list": ", ".join(f"{p.case_id} ({p.agency.name})" for p in placed[:20])},
            field="cases",
            code="already_placed",
        )
    refused = _case_refusals(cases, agency, starts_on)
    if refused:
        raise AgencyConflict("; ".join(refused[:20]), field="cases", code="rule_refused")
    tiers = [rules.Tier(t.low, t.high, t.value, t.rate) for t in contract.tiers.all()]
    owed = _owed([c.loan_id for c in cases])
    rows = []
    uncovered = []
    for c in cases:
        product = c.loan.product.code if c.loan.product_id else ""
        tier = rules.tier_for(
            contract.tier_key,
            tiers,
            dpd=c.dpd,
            bucket=c.bucket,
            product=product,
            owed_fen=owed.get(c.loan_id, 0),
        )
        if tier is None:
            uncovered.append(c.pk)
            continue
        rows.append((c, product, tier))
    if uncovered:
        raise AgencyConflict(
            _("No tier of contract %(contract)s covers case %(ids)s.")
            % {"contract": contract.number, "ids": ", ".join(map(str, uncovered[:20]))},
            field="cases",
        )
    try:
        with transaction.atomic():
            batch = PlacementBatch.objects.create(
                number=number,
                agency=agency,
                contract=contract,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=actor,
            )
            Placement.objects.bulk_create(
                Placement(
                    batch=batch,
                    case=c,
                    loan_id=c.loan_id,
                    agency=agency,
                    placed_on=starts_on,
                    ends_on=ends_on,
                    dpd=c.dpd,
                    bucket=c.bucket,
                    product_code=product,
                    owed_fen=owed.get(c.loan_id, 0),
                    rate=tier.rate,
                )
                for c, product, tier in rows
            )
            Case.objects.filter(pk__in=ids).update(agency=agency, updated_at=timezone.now())
            audit_record_many(
                actor=actor,
                items=[
                    AuditItem(
                        "placement.create",
                        "case",
                        c.pk,
                        {"agency": c.agency.name if c.agency_id else None},
                        {
                            "agency": agency.name,
                            "batch": number,
                            "until": ends_on,
                            "rate": str(tier.rate),
                        },
                    )
                    for c, _product, tier in rows
                ],
                source=source,
            )
            audit_record(
                actor=actor,
                event="placement_batch.create",
                object_type="placement_batch",
                object_id=batch.pk,
                after={
                    "number": number,
                    "agency": agency.name,
                    "contract": contract.number,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "cases": len(rows),
                },
                source=source,
            )
            # The strategy's agency_placement hand-overs of these cases are done: placed.
            from arrears.strategy.services import handovers_done_for_cases

            handovers_done_for_cases(
                case_ids=ids,
                channel="agency_placement",
                actor=actor,
                ref=number,
                source=source,
            )
    except IntegrityError:
        raise AgencyConflict(
            _("Another placement of these cases was made at the same time; try again."),
            field="cases",
            code="already_placed",
        ) from None
    return batch


def _recall(placement_ids: Sequence[int], *, reason: str, on: dt.date, actor, source: str) -> int:
    """Recall the active placements among `placement_ids` (set-based); their cases return to
    the lender with everything the agency recorded. Returns how many were recalled."""
    active = Placement.objects.filter(pk__in=placement_ids, status=Placement.Status.ACTIVE)
    rows = list(active.values("pk", "case_id", "agency_id", "batch_id", "agency__name"))
    if not rows:
        return 0
    pks = [r["pk"] for r in rows]
    Placement.objects.filter(pk__in=pks).update(
        status=Placement.Status.RECALLED, recalled_on=on, recall_reason=reason
    )
    # The case leaves the agency only if it is still this agency's (set-based, one UPDATE).
    still = Placement.objects.filter(
        pk__in=pks, case_id=OuterRef("pk"), agency_id=OuterRef("agency_id")
    )
    Case.objects.filter(pk__in=[r["case_id"] for r in rows]).filter(Exists(still)).update(
        agency=None, updated_at=timezone.now()
    )
    batch_ids = {r["batch_id"] for r in rows}
    open_left = Placement.objects.filter(batch_id=OuterRef("pk"), status=Placement.Status.ACTIVE)
    PlacementBatch.objects.filter(pk__in=batch_ids).exclude(Exists(open_left)).update(
        status=PlacementBatch.Status.CLOSED
    )
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                "placement.recall",
                "case",
                r["case_id"],
                {"agency": r["agency__name"]},
                {"agency": None, "reason": reason, "on": on},
            )
            for r in rows
        ],
        source=source,
    )
    return len(rows)


def placements_recall(
    *,
    placements: Iterable[Placement] | None = None,
    batch: PlacementBatch | None = None,
    reason: str = Placement.RecallReason.REQUEST,
    on: dt.date | None = None,
    actor: User | None,
    source: str = "web",
) -> int:
    """Recall placements early on request (or a whole batch); returns how many."""
    _require(actor, MANAGE, "recall placements")
    if reason not in Placement.RecallReason.values:
        raise AgencyInvalid("reason", _("Unknown recall reason."))
    on = on or local_today()
    ids: list[int] = []
    if batch is not None:
        ids += list(batch.placements.values_list("pk", flat=True))
    if placements is not None:
        ids += [p.pk for p in placements]
    with transaction.atomic():
        n = _recall(ids, reason=reason, on=on, actor=actor, source=source)
    return n


def agency_recall_phase(ctx) -> dict:
    """End-of-day (order 58): recall every active placement whose case was paid (closed),
    whose borrower disputes (an open complaint) or was reported deceased, or whose end date
    has come. Set-based: one query per reason, one UPDATE per reason."""
    if not ctx.is_latest:
        return {"recalled": 0}
    active = Placement.objects.filter(status=Placement.Status.ACTIVE)
    open_complaint = Complaint.objects.filter(
        borrower_id=OuterRef("case__borrower_id"), status__in=Complaint.OPEN_STATUSES
    )
    death = DeathReport.objects.filter(
        borrower_id=OuterRef("case__borrower_id"),
        outcome__in=(DeathReport.Outcome.UNVERIFIED, DeathReport.Outcome.CONFIRMED),
    )
    counts: dict[str, int] = {}
    reasons: list[tuple[str, Q | Exists]] = [
        (Placement.RecallReason.PAID, Q(case__status=Case.Status.CLOSED)),
        (Placement.RecallReason.DECEASED, Exists(death)),
        (Placement.RecallReason.DISPUTED, Exists(open_complaint)),
        (Placement.RecallReason.END, Q(ends_on__lte=ctx.as_of)),
    ]
    for reason, cond in reasons:
        ids = list(active.filter(cond).values_list("pk", flat=True))
        counts[str(reason)] = _recall(
            ids, reason=reason, on=ctx.as_of, actor=ctx.actor, source="eod"
        )
    counts["recalled"] = sum(counts.values())
    return counts


# ------------------------------------------------------------------------ reconciliation


class ReportRow:
    """One payment as an agency reports it, before it is stored."""

    __slots__ = ("row", "payment_id", "loan", "paid_on", "amount_fen", "reference")

    def __init__(self, row, payment_id, loan, paid_on, amount_fen, reference=""):
        self.row = row
        self.payment_id = payment_id
        self.loan = loan
        self.paid_on = paid_on
        self.amount_fen = amount_fen
        self.reference = reference or ""


def placement_covering(agency_id: int, loan_ids: Iterable[int]) -> dict[int, list[Placement]]:
    """Each loan's placements with the agency (for finding the one covering a date)."""
    out: dict[int, list[Placement]] = {}
    for p in Placement.objects.filter(agency_id=agency_id, loan_id__in=set(loan_ids)):
        out.setdefault(p.loan_id, []).append(p)
    return out


def covering(placements: list[Placement], day: dt.date) -> Placement | None:
    for p in placements:
        if p.placed_on <= day <= p.until:
            return p
    return None


def match_reports(agency: Agency, rows: Sequence[ReportRow]) -> list[tuple[Payment | None, str]]:
    """The ledger payment each reported row matches and how: by reference or payment ID
    (exact when loan, date and amount agree, else differs), else by loan + date + amount
    (exact), else none. A ledger payment already credited to a confirmed report, or matched
    by an earlier row, is not matched again."""
    keys = {r.reference for r in rows if r.reference} | {r.payment_id for r in rows}
    by_id = {p.external_id: p for p in Payment.objects.filter(external_id__in=keys)}
    taken = set(
        AgencyPayment.objects.filter(status=AgencyPayment.Status.CONFIRMED).values_list(
            "ledger_payment", flat=True
        )
    )
    by_key: dict[tuple, list[Payment]] = {}
    loan_ids = {r.loan.pk for r in rows}
    for p in (
        Payment.objects.filter(loan_id__in=loan_ids)
        .exclude(channel="waiver")
        .order_by("paid_on", "external_id")
    ):
        by_key.setdefault((p.loan_id, p.paid_on, p.amount_fen), []).append(p)
    out: list[tuple[Payment | None, str]] = []
    for r in rows:
        found = None
        for key in (r.reference, r.payment_id):
            p = by_id.get(key) if key else None
            if p is not None and p.pk not in taken:
                found = p
                break
        if found is not None:
            same = (found.loan_id, found.paid_on, found.amount_fen) == (
                r.loan.pk,
                r.paid_on,
                r.amount_fen,
            )
            taken.add(found.pk)
            out.append((found, AgencyPayment.Match.EXACT if same else AgencyPayment.Match.DIFFERS))
            continue
        for p in by_key.get((r.loan.pk, r.paid_on, r.amount_fen), []):
            if p.pk not in taken:
                found = p
                break
        if found is not None:
            taken.add(found.pk)
            out.append((found, AgencyPayment.Match.EXACT))
        else:
            out.append((None, AgencyPayment.Match.NONE))
    return out


def reports_record(
    *, agency: Agency, rows: Sequence[ReportRow], placements: dict, actor, source: str
) -> list[AgencyPayment]:
    """Store checked rows as reports (matched; exact matches confirmed at once). Audited."""
    matches = match_reports(agency, rows)
    now = timezone.now()
    objs = []
    for r, (payment, match) in zip(rows, matches, strict=True):
        exact = match == AgencyPayment.Match.EXACT
        objs.append(
            AgencyPayment(
                agency=agency,
                payment_id=r.payment_id,
                loan=r.loan,
                paid_on=r.paid_on,
                amount_fen=r.amount_fen,
                reference=r.reference,
                placement=covering(placements.get(r.loan.pk, []), r.paid_on),
                ledger_payment=payment,
                match=match,
                status=AgencyPayment.Status.CONFIRMED if exact else AgencyPayment.Status.PENDING,
                decided_at=now if exact else None,
                source=source,
            )
        )
    created = AgencyPayment.objects.bulk_create(objs)
    saved = list(
        AgencyPayment.objects.filter(
            agency=agency, payment_id__in=[o.payment_id for o in objs]
        ).select_related("loan", "ledger_payment")
    )
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                "agency_payment.report",
                "agency_payment",
                o.pk,
                None,
                {
                    "agency": agency.name,
                    "payment_id": o.payment_id,
                    "loan": o.loan.external_id,
                    "paid_on": o.paid_on,
                    "amount_fen": o.amount_fen,
                    "match": o.match,
                    "ledger_payment": o.ledger_payment.external_id if o.ledger_payment_id else None,
                    "status": o.status,
                },
            )
            for o in saved
        ],
        source=source,
    )
    return created


def agency_payment_report(
    *,
    agency: Agency,
    payment_id: str,
    loan: Loan,
    paid_on: dt.date,
    amount_fen: int,
    reference: str = "",
    actor: User | None,
    source: str = "api",
) -> tuple[AgencyPayment, bool]:
    """One payment an agency reports (API, web). Returns (report, created): the same report
    twice changes nothing; the same ID with other figures is refused."""
    _require(actor, REPORT, "report agency payments")
    if actor is not None and actor.role == Role.AGENCY and actor.agency_id != agency.pk:
        raise AgencyForbidden(_("An agency reports only its own payments."))
    payment_id = (payment_id or "").strip()
    reference = (reference or "").strip()
    if not payment_id or len(payment_id) > 64:
        raise AgencyInvalid("payment_id", _("Give the payment ID (at most 64 characters)."))
    if len(reference) > 64:
        raise AgencyInvalid("reference", _("The reference has at most 64 characters."))
    if amount_fen is None or amount_fen <= 0:
        raise AgencyInvalid("amount", _("The amount must be above zero."))
    if paid_on > local_today():
        raise AgencyInvalid("paid_on", _("The payment date cannot be in the future."))
    old = AgencyPayment.objects.filter(agency=agency, payment_id=payment_id).first()
    if old is not None:
        if (old.loan_id, old.paid_on, old.amount_fen, old.reference) == (
            loan.pk,
            paid_on,
            amount_fen,
            reference,
        ):
            return old, False
        raise AgencyConflict(
            _("Payment %(id)s was reported already with other figures.") % {"id": payment_id},
            field="payment_id",
        )
    placements = placement_covering(agency.pk, [loan.pk])
    if covering(placements.get(loan.pk, []), paid_on) is None:
        raise AgencyInvalid(
            "loan_id",
            _("Loan %(loan)s was not placed with %(agency)s on %(day)s.")
            % {"loan": loan.external_id, "agency": agency.name, "day": paid_on},
        )
    with transaction.atomic():
        reports_record(
            agency=agency,
            rows=[ReportRow(2, payment_id, loan, paid_on, amount_fen, reference)],
            placements=placements,
            actor=actor,
            source=source,
        )
    return AgencyPayment.objects.get(agency=agency, payment_id=payment_id), True


def agency_payment_decide(
    *,
    report: AgencyPayment,
    decision: str,
    actor: User | None,
    ledger_payment_id: str = "",
    note: str = "",
    source: str = "web",
) -> AgencyPayment:
    """A manager confirms a reported payment (credited to the agency, commission due on the
    ledger payment it is tied to) or rejects it. Confirming needs a ledger payment of the
    same loan: the one matched, or the one named by `ledger_payment_id`."""
    _require(actor, MANAGE, "decide on agency payments")
    if decision not in ("confirm", "reject"):
        raise AgencyInvalid("decision", _("Choose confirm or reject."))
    note = (note or "").strip()[:500]
    with transaction.atomic():
        report = AgencyPayment.objects.select_for_update().get(pk=report.pk)
        if report.status != AgencyPayment.Status.PENDING:
            raise AgencyConflict(
                _("Payment %(id)s was decided already (%(status)s).")
                % {"id": report.payment_id, "status": report.get_status_display()},
                code="decided",
            )
        before = {"status": report.status, "ledger_payment": _ext(report.ledger_payment_id)}
        if decision == "reject":
            if not note:
                raise AgencyInvalid("note", _("Say why the payment is rejected."))
            report.status = AgencyPayment.Status.REJECTED
        else:
            payment = report.ledger_payment
            if ledger_payment_id.strip():
                payment = Payment.objects.filter(external_id=ledger_payment_id.strip()).first()
                if payment is None:
                    raise AgencyInvalid(
                        "ledger_payment_id",
                        _("No payment %(id)s in the ledger.") % {"id": ledger_payment_id},
                    )
            if payment is None:
                raise AgencyInvalid(
                    "ledger_payment_id",
                    _(
                        "Name the ledger payment this money arrived as; commission is due only "
                        "on money in the ledger."
                    ),
                )
            if payment.loan_id != report.loan_id:
                raise AgencyInvalid(
                    "ledger_payment_id",
                    _("Payment %(id)s is of another loan.") % {"id": payment.external_id},
                )
            if (
                AgencyPayment.objects.filter(
                    ledger_payment=payment, status=AgencyPayment.Status.CONFIRMED
                )
                .exclude(pk=report.pk)
                .exists()
            ):
                raise AgencyConflict(
                    _("Payment %(id)s is credited to another report already.")
                    % {"id": payment.external_id},
                    field="ledger_payment_id",
                )
            report.ledger_payment = payment
            report.status = AgencyPayment.Status.CONFIRMED
        report.decided_by = actor
        report.decided_at = timezone.now()
        report.note = note
        report.save()
        audit_record(
            actor=actor,
            event="agency_payment.decide",
            object_type="agency_payment",
            object_id=report.pk,
            before=before,
            after={
                "decision": decision,
                "status": report.status,
                "ledger_payment": _ext(report.ledger_payment_id),
                "amount_fen": report.ledger_payment.amount_fen
                if report.ledger_payment_id
                else None,
                "note": note,
            },
            source=source,
        )
    return report


def _ext(payment_pk: int | None) -> str | None:
    if payment_pk is None:
        return None
    return Payment.objects.filter(pk=payment_pk).values_list("external_id", flat=True).first()


# ------------------------------------------------------------------------ hand-overs

# Strategy hand-overs (channel `agency_placement`) become placement candidates through a
# function the strategy app provides: fn(user) -> queryset or list of case ids. Until one is
# registered there are none (docs/agencies.md).
_CANDIDATE_SOURCES: list[Callable] = []


def placement_candidates_register(fn: Callable) -> None:
    """Register a source of case ids handed over for agency placement (strategy.HandOver)."""
    if fn not in _CANDIDATE_SOURCES:
        _CANDIDATE_SOURCES.append(fn)


def placement_candidates(user: User) -> list[int]:
    """The open, unplaced cases the user may see that a strategy handed over for placement."""
    ids: set[int] = set()
    for fn in _CANDIDATE_SOURCES:
        ids |= {int(i) for i in fn(user)}
    if not ids:
        return []
    placed = Placement.objects.filter(status=Placement.Status.ACTIVE).values("case_id")
    return sorted(
        cases_for(user)
        .filter(pk__in=ids, status=Case.Status.OPEN)
        .exclude(pk__in=placed)
        .values_list("pk", flat=True)
    )
