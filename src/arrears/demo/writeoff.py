"""The demo's write-offs (核销, issue 16): some hopeless loans written off, money recovered
after, and a proposal waiting for approval — all through the writeoff services.

The manager proposes the loans with the longest arrears (loss class 损失 first, then the
oldest), the administrator approves one batch (a manager may not approve their own); two
borrowers then pay something — recoveries after write-off — and a second batch waits for
someone other than the manager to approve it. The case stays open on every written-off loan
(账销案存). The day is then run again so the end-of-day figures leave them out of the book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from arrears.book.errors import BookError
from arrears.book.models import Loan
from arrears.book.services import payment_post
from arrears.cases.models import Case
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.eod.models import LoanState

APPROVED = 5  # loans written off
PENDING = 3  # loans in the batch awaiting approval


@dataclass
class WriteOffDemo:
    written_off: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    recoveries: list[tuple[str, int]] = field(default_factory=list)
    proposal_pending: int | None = None

    def line(self) -> str:
        if not self.written_off:
            return "write-off: no loan in arrears long enough to write off"
        rec = sum(a for _, a in self.recoveries)
        return (
            f"write-off: {len(self.written_off)} loans written off (open at /writeoff/ledger/),"
            f" {len(self.recoveries)} recoveries after write-off of {rec / 100:,.2f} yuan,"
            f" {len(self.pending)} loans awaiting approval in proposal #{self.proposal_pending}"
        )


def _candidates(as_of: dt.date, n: int) -> list[str]:
    """Open cases' loans in arrears longest (loss class first), without an open plan."""
    from arrears.plans.models import Plan

    busy = Plan.objects.filter(status__in=Plan.OPEN_STATUSES).values("loan_id")
    loans = (
        LoanState.objects.filter(dpd__gt=90)
        .exclude(loan_id__in=busy)
        .filter(
            loan_id__in=Case.objects.filter(status=Case.Status.OPEN).values("loan_id"),
        )
        .order_by("-dpd", "loan_id")
        .values_list("loan_id", flat=True)[: n * 3]
    )
    ids = list(loans)
    return list(
        Loan.objects.filter(pk__in=ids, status=Loan.Status.ACTIVE)
        .order_by("-principal_fen", "external_id")
        .values_list("external_id", flat=True)[:n]
    )


def demo_writeoff(*, as_of: dt.date) -> WriteOffDemo:
    """Write off a few loans, record recoveries after, leave a batch pending; rerun the day."""
    from arrears.demo.users import demo_users_ensure
    from arrears.eod.services import eod_run
    from arrears.writeoff.services import writeoff_decide, writeoff_propose

    out = WriteOffDemo()
    users: dict[str, User] = demo_users_ensure(set_passwords=False)
    manager, admin = users["manager"], users["admin"]
    picked = _candidates(as_of, APPROVED + PENDING)
    if len(picked) < 2:
        return out
    first, second = picked[:APPROVED], picked[APPROVED:]
    batch = writeoff_propose(
        actor=manager,
        loan_ids=first,
        reason_code="loss_class",
        reason="逾期超过一年，多次外访无果，借款人无财产可供执行，按损失类核销；账销案存，继续追收。",
        source="demo",
        today=as_of,
    )
    writeoff_decide(
        batch, actor=admin, approve=True, note="同意核销，继续追收", source="demo", today=as_of
    )
    out.written_off = list(first)
    # Two borrowers pay something after the write-off: recoveries, allocated as ever.
    for k, (external_id, amount) in enumerate(zip(first[:2], (50_000, 123_456), strict=False)):
        loan = Loan.objects.get(external_id=external_id)
        try:
            payment_post(
                loan=loan,
                external_id=f"DEMO-WO-REC-{k + 1}",
                paid_on=min(as_of, local_today()),
                amount_fen=amount,
                channel="bank_transfer",
                actor=manager,
                source="demo",
            )
        except BookError:  # a demo dated in the future: no money yet
            continue
        out.recoveries.append((external_id, amount))
    if second:
        pending = writeoff_propose(
            actor=manager,
            loan_ids=second,
            reason_code="other",
            reason="借款人长期失联，联系人均无法提供下落，申请核销。",
            source="demo",
            today=as_of,
        )
        out.pending = list(second)
        out.proposal_pending = pending.pk
    # The day again (in full): the written-off loans leave the book's end-of-day figures.
    eod_run(as_of=as_of)
    return out
