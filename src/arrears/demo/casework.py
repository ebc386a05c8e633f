"""Case work for the demo: three weeks of collectors' work on a few dozen open cases.

A fresh demo book has cases but nobody has worked them. `demo_casework` gives it a short
history instead of a single end-of-day run: end-of-day runs for the first day of a window
of WINDOW days before the business date (it opens the cases), then the demo users call,
text, write, visit, take promises, agree plans, record complaints, deaths and whereabouts,
file documents and serve notices, day by day, and end-of-day runs again on the CHECKPOINT
days and on the business date, so promises and plans made earlier are judged by later runs
(kept, partly kept, broken with its fee; plans broken and escalated, a settlement completed,
waived and its case closed as settled).

Every write goes through the service a person's click would call (activities, promises,
plans, cases, documents, notices, book.payment_post), so the rule pack checks each contact
and the audit trail records each change. Nothing is inserted behind the services' backs.

Each situation is a small script (a generator): it yields the day offset and the time of its
next step, and the runner resumes the scripts in time order, running end-of-day between days.
Cases are picked by a seeded random order among the open cases of the first day, preferring
the demo collector1 (team 1, led by lead1) so the demo users find the work in their lists.

Timing: contacts can only be logged once they have happened, so the window ends the day
before min(as-of, today); the last end-of-day is the demo's as-of date.
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max

from arrears.core.dates import local_today, local_zone

WINDOW = 21
# End-of-day runs after the work of these day offsets (0 opens the cases), then on the as-of.
CHECKPOINTS = (0, 7, 14)
SOURCE = "cli"  # the demo command writes these records, and the audit trail says so


# --- small helpers -------------------------------------------------------------------------


def yuan(fen: int) -> str:
    """12345.60 → '12,345.60'; whole yuan without decimals ('300')."""
    whole, cents = divmod(fen, 100)
    return f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}"


def md(day: dt.date) -> str:
    """'11月15日'."""
    return f"{day.month}月{day.day}日"


def share(total_fen: int, percent: int, floor_fen: int = 100_00) -> int:
    """About `percent` % of `total_fen`, in whole tens of yuan, at least `floor_fen` (or all)."""
    amount = total_fen * percent // 100 // 1000 * 1000
    return min(total_fen, max(amount, floor_fen))


def less(total_fen: int, percent: int) -> int:
    """`total_fen` less about `percent` %, rounded up to whole yuan (so never more off)."""
    kept = total_fen - total_fen * percent // 100
    return min(total_fen, -(-kept // 100) * 100)


# --- who works which case ------------------------------------------------------------------


@dataclass
class Pick:
    """One case chosen for a situation, with the people who work it."""

    case: object
    worker: object  # who calls, visits and proposes (the case's own collector where it has one)
    lead: object  # who approves, resolves complaints and decides deaths (lead1 or the manager)
    total_due_fen: int  # overdue on the first day (snapshot)
    variant: int = 0
    jitter: int = 0  # minutes added to every time of the script, so cases don't move in step

    @property
    def name(self) -> str:
        return self.case.borrower.name

    def contact(self, relation: str):
        """The borrower's first contact with this relation who agreed to be contacted."""
        return (
            self.case.borrower.contacts.filter(relation=relation, consent_to_contact=True)
            .order_by("pk")
            .first()
        )


@dataclass
class CaseworkResult:
    """What the case work did, for the command's report and the tests."""

    cases: int = 0
    activities: int = 0
    payments: int = 0
    eod_runs: list[str] = field(default_factory=list)
    by_situation: Counter = field(default_factory=Counter)
    picks: list[tuple[str, int, str]] = field(default_factory=list)  # situation, case, worker
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Desk:
    """The demo's working day: the current time, and one method per kind of record."""

    def __init__(self, *, first_day: dt.date, result: CaseworkResult) -> None:
        self.first_day = first_day
        self.result = result
        self.now: dt.datetime | None = None
        self.today: dt.date = first_day
        self._payments = 0
        self._files = 0
        from arrears.notices.models import NoticeTemplate

        self.template = NoticeTemplate.objects.filter(code="cn_default", active=True).first()

    def day(self, k: int) -> dt.date:
        return self.first_day + dt.timedelta(days=k)

    def set_time(self, k: int, minutes: int) -> None:
        self.today = self.day(k)
        self.now = dt.datetime.combine(
            self.today, dt.time(minutes // 60, minutes % 60), tzinfo=local_zone()
        )

    # -- contacts --------------------------------------------------------------------------

    def log(
        self,
        c: Pick,
        channel: str,
        outcome: str,
        *,
        actor=None,
        contact=None,
        reason: str = "",
        note: str = "",
        duration: int | None = None,
        direction: str = "outbound",
        purpose: str = "collect",
        promise: tuple[int, dt.date] | None = None,
        attachments: tuple = (),
        participants: int | None = None,
        recording_ref: str = "",
        corrects=None,
    ):
        """One activity through activities.services.outcome_log (with its promise, files)."""
        from arrears.activities.services import outcome_log

        activity = outcome_log(
            case=c.case,
            channel=channel,
            outcome=outcome,
            occurred_at=corrects.occurred_at if corrects is not None else self.now,
            actor=actor or c.worker,
            source=SOURCE,
            direction=direction,
            contact=contact,
            purpose=purpose,
            duration_seconds=duration,
            default_reason=reason,
            note=note,
            participants=participants,
            recording_ref=recording_ref,
            corrects=corrects,
            promise_amount_fen=promise[0] if promise else None,
            promised_on=promise[1] if promise else None,
            attachments=attachments,
        )
        self.result.activities += 1
        return activity

    def sms_text(self, c: Pick, amount: int, by: dt.date) -> str:
        return (
            f"【{settings.ARREARS_COMPANY_NAME}】{c.name}您好，您的借款已逾期，"
            f"请于{md(by)}前归还{yuan(amount)}元。如已还款请忽略本短信。"
        )

    # -- money -----------------------------------------------------------------------------

    def pay(self, c: Pick, amount_fen: int, channel: str = "bank_transfer"):
        """The borrower's payment (a bank transfer by default), posted to the book."""
        from arrears.book.services import payment_post

        self._payments += 1
        payment, _created = payment_post(
            loan=c.case.loan,
            external_id=f"DEMO-T{self.today:%Y%m%d}{self._payments:04d}",
            paid_on=self.today,
            amount_fen=amount_fen,
            channel=channel,
            actor=None,
            source="demo",
        )
        self.result.payments += 1
        return payment

    # -- paper -----------------------------------------------------------------------------

    def attachment(self, category: str, filename: str, content: bytes, declared: str):
        from arrears.activities.services import Attachment

        return Attachment(
            fileobj=io.BytesIO(content),
            filename=filename,
            declared_type=declared,
            category_code=category,
        )

    def file(
        self,
        c: Pick,
        category: str,
        filename: str,
        content: bytes,
        *,
        note: str,
        on: str = "case",
        actor=None,
        declared: str = "image/png",
    ):
        """A document filed on the case (or its loan, or its borrower)."""
        from arrears.documents.services import document_file

        target = {
            "case": {"case": c.case},
            "loan": {"loan": c.case.loan},
            "borrower": {"borrower": c.case.borrower},
        }[on]
        return document_file(
            fileobj=io.BytesIO(content),
            filename=filename,
            declared_type=declared,
            category_code=category,
            actor=actor or c.worker,
            note=note,
            source=SOURCE,
            **target,
        )

    def png(self, kind: str) -> bytes:
        from arrears.demo.files import tiny_png

        self._files += 1
        return tiny_png(kind, variant=self._files)

    # -- case decisions --------------------------------------------------------------------

    def set_type(self, c: Pick, code: str, actor=None) -> None:
        from arrears.cases.models import DebtorType
        from arrears.cases.services import case_set_debtor_type

        debtor_type = DebtorType.objects.get(code=code)
        case_set_debtor_type(
            case=c.case, debtor_type=debtor_type, actor=actor or c.worker, source=SOURCE
        )

    def propose(self, c: Pick, *, kind: str, agreed: int, installments, note: str):
        from arrears.plans.services import plan_propose

        return plan_propose(
            case=c.case,
            kind=kind,
            agreed_total_fen=agreed,
            installments=installments,
            actor=c.worker,
            note=note,
            source=SOURCE,
            today=self.today,
        )

    def full_due(self, c: Pick) -> int:
        from arrears.plans.selectors import amount_due

        return amount_due(c.case.loan, self.today).full

    def notice(self, c: Pick, *, pay_in_days: int = 10, actor=None):
        from arrears.notices.services import notice_issue

        return notice_issue(
            case=c.case,
            template=self.template,
            as_of=self.today,
            pay_by=self.today + dt.timedelta(days=pay_in_days),
            actor=actor or c.worker,
            source=SOURCE,
            issued_on=self.today,
        )


Script = Iterator[tuple[int, str]]


# --- the situations ------------------------------------------------------------------------
#
# Each yields (day offset, "HH:MM") before a step; the step runs at that moment. Offsets run
# from 1 to WINDOW - 1; end-of-day runs after days 0, 7 and 14 and on the as-of date.


def kept_promise(d: Desk, c: Pick) -> Script:
    """A promise kept: paid before the date; the receipt filed. One with a corrected entry."""
    amount = share(c.total_due_fen, 30)
    yield 1, "09:12"
    first = d.log(c, "call", "no_answer")
    if c.variant == 0:
        yield 1, "09:20"
        d.log(c, "call", "busy", corrects=first, note="更正：上一条误选为无人接听，实为占线。")
        d.file(
            c,
            "identity",
            "身份证复印件.png",
            d.png("identity"),
            note="借款人身份证正反面复印件（放款时留存）",
            on="borrower",
        )
        d.file(
            c,
            "contract",
            "借款合同.png",
            d.png("contract"),
            note="借款合同首页扫描件",
            on="loan",
        )
    yield 2, "14:30"
    reason = ("negligence", "lack_of_funds", "negligence")[c.variant % 3]
    why = ("称忘了还款日", "称这个月工钱晚发了几天", "称在外地跑车，没顾上还款")[c.variant % 3]
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason=reason,
        duration=186 + 20 * c.variant,
        note=f"{c.name}本人接听，承认逾期，{why}。答应{md(d.day(7))}前先还{yuan(amount)}元。",
        promise=(amount, d.day(7)),
    )
    if c.variant == 1:
        yield 4, "16:05"
        d.log(
            c,
            "email",
            "other",
            direction="inbound",
            note="客户发来邮件，询问逾期金额明细和还款账户，已电话回复并核对金额。",
        )
    yield 5, "10:00"
    d.log(c, "sms", "other", note=d.sms_text(c, amount, d.day(7)))
    yield 6, "16:40"
    d.pay(c, amount)
    d.file(
        c,
        "payment_receipt",
        "转账凭证.png",
        d.png("receipt"),
        note=f"客户微信发来的转账截图，{yuan(amount)}元",
    )


def partly_kept(d: Desk, c: Pick) -> Script:
    """A promise partly kept: half of it paid by the date."""
    amount = share(c.total_due_fen, 40)
    paid = max(amount // 2 // 100 * 100, 100)
    yield 1, "10:20"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=240,
        note="客户本人接听，称家里的柑橘还没卖出去，手头紧，答应先凑一部分。",
    )
    yield 3, "15:05"
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason="lack_of_funds",
        duration=150,
        note=f"客户答应{md(d.day(8))}前还{yuan(amount)}元。",
        promise=(amount, d.day(8)),
    )
    yield 8, "11:30"
    d.pay(c, paid)
    if c.variant == 0:
        from arrears.demo.files import text_file

        d.file(
            c,
            "other",
            "还款说明.txt",
            text_file(
                f"还款说明\n本人{c.name}因柑橘滞销，{md(d.day(8))}先归还{yuan(paid)}元，"
                f"余款待水果卖出后归还。\n{c.name}（口述，催收员记录）"
            ),
            note="客户口述的还款说明",
            declared="text/plain",
        )
    yield 10, "10:15"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=200,
        note=f"已收到{yuan(paid)}元，未达承诺金额。客户称月底卖完果子再还剩下的部分。",
    )


def broken_promise(d: Desk, c: Pick) -> Script:
    """A promise broken (the product's fee charged at end-of-day); one gets a posted notice."""
    amount = share(c.total_due_fen, 25)
    yield 2, "11:00"
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason="negligence",
        duration=132,
        note=f"客户答应{md(d.day(6))}前还{yuan(amount)}元，说发了工资就还。",
        promise=(amount, d.day(6)),
    )
    yield 6, "19:30"
    d.log(c, "sms", "other", note=d.sms_text(c, amount, d.day(6)))
    yield 8, "10:40"
    d.log(c, "call", "no_answer")
    yield 8, "16:10"
    d.log(c, "call", "no_answer")
    yield 9, "14:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=170,
        note="客户称工地老板拖欠工资，承诺的款项没能还上，答应拿到工资后马上联系。",
    )
    if c.variant == 0 and d.template is not None:
        yield 9, "16:00"
        from arrears.notices.services import notice_deliver, notice_serve

        notice = d.notice(c)
        notice_serve(notice=notice, method="post", served_on=d.today, actor=c.worker, source=SOURCE)
        d.log(
            c,
            "letter",
            "other",
            note=f"催款通知书{notice.number}已通过邮政挂号信寄往借款人户籍地址。",
        )
        yield 12, "10:00"
        notice_deliver(notice=notice, delivered_on=d.today, actor=c.worker, source=SOURCE)


def serial_promiser(d: Desk, c: Pick) -> Script:
    """Two promises broken in a row: the record suggests 保证还款型 (serial promiser)."""
    first, second = share(c.total_due_fen, 20), share(c.total_due_fen, 15)
    yield 1, "09:50"
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason="negligence",
        duration=95,
        note=f"客户满口答应，保证{md(d.day(4))}前还{yuan(first)}元。",
        promise=(first, d.day(4)),
    )
    yield 4, "20:05"
    d.log(c, "sms", "other", note=d.sms_text(c, first, d.day(4)))
    yield 8, "10:30"
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason="negligence",
        duration=110,
        note=f"客户称上次忘了，这次保证{md(d.day(12))}前一定还{yuan(second)}元。",
        promise=(second, d.day(12)),
    )
    yield 13, "15:20"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="negligence",
        duration=80,
        note="客户又称钱还没到账，请求再宽限几天。两次承诺均未兑现。",
    )
    if c.variant == 0:
        # The collector reads him as 世故型; the record says 保证还款型. Both are shown.
        d.set_type(c, "sophisticated")


def pending_promise(d: Desk, c: Pick) -> Script:
    """A promise whose date has not come yet."""
    amount = share(c.total_due_fen, 30)
    yield 15, "10:10"
    d.log(c, "call", "no_answer")
    yield 17, "18:45"
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason="lack_of_funds",
        duration=140,
        note=f"客户说月底发工资后还{yuan(amount)}元，约定{md(d.day(26))}前到账。",
        promise=(amount, d.day(26)),
    )
    yield 19, "09:30"
    d.log(c, "other", "other", note="客户通过微信确认了还款日期和金额。")


def evasive(d: Desk, c: Pick) -> Script:
    """Calls never answered: the record suggests 逃避型 (evasive). One typed otherwise."""
    steps = (
        (1, "09:40", "no_answer"),
        (1, "18:20", "no_answer"),
        (3, "11:05", "busy"),
        (3, "11:25", "no_answer"),
        (6, "19:10", "wrong_number"),
        (8, "14:30", "no_answer"),
        (10, "09:15", "no_answer"),
    )
    for k, at, outcome in steps:
        yield k, at
        note = "接电话的人说不认识借款人，疑似号码已转给他人。" if outcome == "wrong_number" else ""
        d.log(c, "call", outcome, note=note)
        if k == 3 and outcome == "no_answer":
            yield 3, "11:40"
            d.log(c, "sms", "other", note=d.sms_text(c, c.total_due_fen, d.day(10)))
    if c.variant == 1:
        # Neighbours told the collector the family is struggling: he typed 受害型.
        d.set_type(c, "victim")


def hardship(d: Desk, c: Pick) -> Script:
    """Hardship heard on a recorded call: typed 受害型 (victim), as the record suggests."""
    from arrears.demo.files import tiny_wav

    yield 2, "10:30"
    d.log(
        c,
        "call",
        "hardship",
        reason="lack_of_funds",
        duration=420,
        note="客户在工地摔伤了腿，三个月没干活，家里靠妻子打零工，暂时无力还款。",
        attachments=(
            d.attachment("call_recording", "通话录音.wav", tiny_wav(variant=c.jitter), "audio/wav"),
        ),
    )
    d.set_type(c, "victim")
    yield 9, "15:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=260,
        note="客户伤情好转，下个月可以出去做工，愿意先还一部分。",
    )


def stubborn(d: Desk, c: Pick) -> Script:
    """Two refusals over the penalty: typed 固执型; a letter, then a notice issued."""
    yield 1, "14:10"
    d.log(
        c,
        "call",
        "refusal",
        reason="dispute",
        duration=310,
        note="客户认为罚息太高，不认可欠款金额，拒绝还款。已解释罚息按合同约定计算。",
    )
    yield 4, "10:50"
    d.log(
        c,
        "call",
        "refusal",
        reason="dispute",
        duration=280,
        note="再次拒绝，坚持要求先免除罚息才肯还本金。",
    )
    d.set_type(c, "stubborn")
    yield 7, "09:30"
    d.log(
        c,
        "letter",
        "other",
        note=f"致{c.name}的催收函：您的借款已逾期，请于{md(d.day(17))}前归还欠款。"
        "如对金额有疑问，请致电我司核对。",
    )
    if d.template is not None:
        yield 19, "10:00"
        d.notice(c)


def willful(d: Desk, c: Pick) -> Script:
    """A willful non-payer: end-of-day marks him willful, the team lead sends him to legal."""
    from arrears.cases.services import case_escalate

    yield 2, "15:30"
    d.log(
        c,
        "call",
        "refusal",
        reason="willful",
        duration=95,
        note="客户明确表示有钱也不会还，让公司去起诉，随即挂断电话。",
    )
    d.set_type(c, "provocative")
    yield 5, "10:00"
    d.log(
        c,
        "letter",
        "other",
        note=f"致{c.name}的催收函：您的借款已严重逾期，请于{md(d.day(15))}前归还欠款，"
        "逾期不还，我司将依法通过诉讼途径解决。",
    )
    yield 6, "16:20"
    d.log(
        c,
        "call",
        "refusal",
        reason="willful",
        duration=60,
        note="客户收到催收函后仍拒绝沟通，态度恶劣。",
    )
    yield 9, "11:00"
    case_escalate(case=c.case, reason="legal_track", on=d.today, actor=c.lead, source=SOURCE)
    d.log(
        c,
        "other",
        "other",
        actor=c.lead,
        note="组长审核：有还款能力而拒不还款，转入法律程序，移交法务准备起诉材料。",
    )


def legal_case(d: Desk, c: Pick) -> Script:
    """A lawsuit filed by the legal officer, with the court's paper on the case."""
    from arrears.cases.services import case_escalate

    yield 3, "10:00"
    d.file(
        c,
        "court_document",
        "受理案件通知书.png",
        d.png("court"),
        note=f"{c.case.borrower.county}人民法院受理案件通知书",
    )
    # The legal officer files the suit: since end-of-day allocation gives every case a
    # collector, the day-to-day worker may be a phone collector, who may not escalate.
    from arrears.core.models import User

    officer = User.objects.filter(pk=c.case.legal_officer_id).first() or c.lead
    case_escalate(case=c.case, reason="legal_track", on=d.today, actor=officer, source=SOURCE)
    d.log(
        c,
        "other",
        "other",
        note=f"已向{c.case.borrower.county}人民法院提起诉讼，法院已受理，等待排期开庭。",
    )


def complaint_open(d: Desk, c: Pick) -> Script:
    """A complaint about the sale, still open: collection contact is held."""
    from arrears.cases.services import complaint_open as open_complaint

    yield 2, "10:00"
    d.log(c, "call", "no_answer")
    yield 4, "14:20"
    d.log(
        c,
        "call",
        "dispute_raised",
        reason="dispute",
        duration=600,
        note="客户称放款时业务员口头承诺可以随时办理延期，现在不给延期，认为被误导，要求投诉业务员。",
    )
    open_complaint(
        case=c.case,
        category="sales",
        description="借款人反映放款时业务员口头承诺可随时办理延期，与合同约定不符，"
        "要求核查销售过程。核查期间暂停催收联系。",
        actor=c.worker,
        opened_on=d.today,
        source=SOURCE,
    )


def complaint_resolved(d: Desk, c: Pick) -> Script:
    """A complaint about the approved amount, resolved by the team lead; then a promise kept."""
    from arrears.cases.services import complaint_open as open_complaint
    from arrears.cases.services import complaint_resolve

    amount = share(c.total_due_fen, 30)
    yield 1, "11:00"
    d.log(
        c,
        "call",
        "dispute_raised",
        reason="dispute",
        duration=480,
        note="客户认为审批额度比申请时说的少了一万元，生意周转不开才逾期，要求投诉审批。",
    )
    complaint = open_complaint(
        case=c.case,
        category="approval_amount",
        description="借款人对审批额度有异议，认为与申请时的说法不一致。",
        actor=c.worker,
        owner=c.lead,
        opened_on=d.today,
        source=SOURCE,
    )
    yield 6, "16:00"
    complaint_resolve(
        complaint=complaint,
        status="resolved",
        resolution="已调取审批记录：额度按收入证明核定，已当面向客户解释；客户表示理解，"
        "同意按合同还款。",
        actor=c.lead,
        resolved_on=d.today,
        source=SOURCE,
    )
    yield 8, "10:30"
    d.log(
        c,
        "call",
        "promise_to_pay",
        reason="dispute",
        duration=210,
        note=f"投诉处理完毕后客户态度缓和，答应{md(d.day(15))}前还{yuan(amount)}元。",
        promise=(amount, d.day(15)),
    )
    yield 14, "13:00"
    d.pay(c, amount)


def death_unverified(d: Desk, c: Pick) -> Script:
    """A death reported by a relative and being verified: contact is held meanwhile."""
    from arrears.cases.services import death_report_check, death_report_open

    relative = c.contact("relative")
    yield 5, "10:00"
    d.log(c, "call", "no_answer")
    yield 10, "15:40"
    d.log(
        c,
        "call",
        "reported_deceased",
        direction="inbound",
        contact=relative,
        reason="deceased",
        duration=320,
        note=f"借款人亲属{relative.name}来电，称借款人已于上月因病去世，尚未提供死亡证明。",
    )
    report = death_report_open(
        case=c.case,
        reported_on=d.today,
        report_source="relative",
        source_detail=f"{relative.name}（亲属）",
        note="亲属来电称借款人上月病故，待核实。",
        actor=c.worker,
        source=SOURCE,
    )
    yield 12, "10:30"
    death_report_check(
        report=report,
        checks={
            "contacts": (True, "已联系紧急联系人，说法一致"),
            "phone": (True, "借款人手机已停机"),
        },
        actor=c.worker,
        source=SOURCE,
    )


def death_confirmed(d: Desk, c: Pick) -> Script:
    """A death confirmed: estate handling, and a relative repays in the borrower's place."""
    from arrears.cases.services import (
        case_estate_update,
        death_report_add_evidence,
        death_report_check,
        death_report_decide,
        death_report_open,
    )

    relative = c.contact("relative")
    agreed = c.total_due_fen
    yield 2, "09:30"
    d.log(c, "call", "no_answer")
    yield 3, "17:20"
    d.log(
        c,
        "call",
        "reported_deceased",
        direction="inbound",
        contact=relative,
        reason="deceased",
        duration=260,
        note=f"借款人亲属{relative.name}来电，称借款人本月初突发疾病去世。",
    )
    report = death_report_open(
        case=c.case,
        reported_on=d.today,
        report_source="relative",
        source_detail=f"{relative.name}（亲属）",
        note="亲属来电报告借款人去世。",
        actor=c.worker,
        source=SOURCE,
    )
    yield 6, "10:00"
    certificate = d.file(
        c,
        "death_certificate",
        "死亡医学证明.png",
        d.png("certificate"),
        note="家属提供的居民死亡医学证明书（复印件）",
    )
    death_report_add_evidence(report=report, documents=[certificate], actor=c.worker, source=SOURCE)
    death_report_check(
        report=report,
        checks={
            "relatives": (True, "走访亲属和邻居，确认借款人已去世"),
            "address": (True, "户籍地村委会出具情况说明"),
            "institution": (True, "派出所确认户籍已注销"),
        },
        actor=c.worker,
        source=SOURCE,
    )
    yield 7, "11:00"
    death_report_decide(
        report=report,
        outcome="confirmed",
        actor=c.lead,
        decided_on=d.today,
        note="死亡证明与户籍注销信息一致，转入遗产处理。",
        source=SOURCE,
    )
    yield 9, "10:20"
    d.log(
        c,
        "call",
        "third_party",
        direction="inbound",
        contact=relative,
        reason="deceased",
        duration=300,
        note=f"亲属{relative.name}来电，表示愿意代为偿还借款：先还一半，余款下月还清。",
    )
    case_estate_update(
        case=c.case,
        party_repays=True,
        party_name=relative.name,
        party_relation="亲属",
        agreed_fen=agreed,
        actor=c.worker,
        source=SOURCE,
    )
    yield 10, "15:00"
    half = max(agreed // 2 // 100 * 100, 100)
    d.pay(c, min(half, agreed))
    d.file(
        c,
        "payment_receipt",
        "代位清偿转账凭证.png",
        d.png("receipt"),
        note=f"亲属{relative.name}代为偿还的转账凭证",
    )


def moved_away(d: Desk, c: Pick) -> Script:
    """Unreachable at home, found working in another city through a relative."""
    from arrears.cases.services import whereabouts_record

    relative = c.contact("relative")
    attempts = (
        (1, "09:40", "no_answer"),
        (1, "19:00", "no_answer"),
        (2, "12:30", "no_answer"),
        (2, "18:10", "busy"),
    )
    for k, at, outcome in attempts:
        yield k, at
        d.log(c, "call", outcome)
    yield 3, "10:00"
    d.log(c, "sms", "other", note=d.sms_text(c, c.total_due_fen, d.day(10)))
    yield 4, "11:00"
    whereabouts_record(
        case=c.case,
        status="unreachable",
        detail="电话多日无人接听，短信未回复",
        recorded_on=d.today,
        actor=c.worker,
        source=SOURCE,
    )
    yield 5, "10:30"
    d.log(
        c,
        "call",
        "moved_away",
        contact=relative,
        purpose="locate",
        duration=150,
        note="联系人称借款人去年起在浙江义乌打工，答应转告其尽快回电。",
    )
    whereabouts_record(
        case=c.case,
        status="moved_away",
        detail="在浙江义乌打工（小商品城物流仓库），春节前后回村",
        recorded_on=d.today,
        actor=c.worker,
        source=SOURCE,
    )
    yield 8, "20:10"
    d.log(
        c,
        "call",
        "right_party_contact",
        direction="inbound",
        reason="lack_of_funds",
        duration=230,
        note="借款人从义乌回电，称年底结了工钱回家还款。",
    )


def field_visit(d: Desk, c: Pick) -> Script:
    """A visit by two, recorded, with a photo; a notice served in person and signed for."""
    from arrears.notices.services import notice_serve, notice_sign

    amount = share(c.total_due_fen, 30)
    yield 3, "10:00"
    d.log(c, "call", "no_answer")
    yield 6, "10:30"
    d.log(
        c,
        "visit",
        "promise_to_pay",
        reason="lack_of_funds",
        duration=1500,
        participants=2,
        recording_ref=f"执法记录仪 FV-{d.today:%Y%m%d}-01",
        note=f"与同事两人上门，出示工作证并全程录像。借款人在家，称去年养猪亏了本，"
        f"答应{md(d.day(13))}前先还{yuan(amount)}元。",
        promise=(amount, d.day(13)),
        attachments=(d.attachment("visit_photo", "外访照片.png", d.png("photo"), "image/png"),),
    )
    if d.template is not None:
        yield 6, "11:00"
        notice = d.notice(c)
        notice_serve(
            notice=notice, method="in_person", served_on=d.today, actor=c.worker, source=SOURCE
        )
        notice_sign(
            notice=notice,
            signed_on=d.today,
            receipt=io.BytesIO(d.png("receipt")),
            receipt_filename="签收回执.png",
            receipt_type="image/png",
            actor=c.worker,
            source=SOURCE,
        )
    yield 12, "09:00"
    d.pay(c, amount, channel="cash")


def plan_pending(d: Desk, c: Pick) -> Script:
    """A plan with a discount beyond the collector's authority, waiting for the team lead."""
    from arrears.plans.services import Spread

    yield 16, "10:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=350,
        note="客户称一次性还清有困难，希望分三期还款并减免部分罚息。",
    )
    yield 16, "10:30"
    agreed = less(d.full_due(c), 8)
    d.propose(
        c,
        kind="installment_plan",
        agreed=agreed,
        installments=Spread(3, d.day(WINDOW + 5), "month"),
        note="客户申请分3期还清，减免约8%，超出本人权限，提交组长审批。",
    )


def plan_active(d: Desk, c: Pick) -> Script:
    """A plan at the full amount (within the collector's own authority), running and paid."""
    from arrears.plans.services import Spread, plan_accept

    yield 3, "15:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=300,
        note="客户同意按全额分期还款，每月发工资后还一期。",
    )
    yield 4, "10:00"
    plan = d.propose(
        c,
        kind="installment_plan",
        agreed=d.full_due(c),
        installments=Spread(5, d.day(10), "month"),
        note="全额分5期，每月一期。",
    )
    yield 5, "09:30"
    plan_accept(plan, actor=c.worker, accepted_on=d.today, source=SOURCE, today=d.today)
    yield 10, "14:00"
    d.pay(c, plan.installments.order_by("number").first().amount_fen)


def plan_broken(d: Desk, c: Pick) -> Script:
    """A plan broken (too little paid by the first due date): end-of-day escalates the case."""
    from arrears.plans.services import Spread, plan_accept

    yield 2, "10:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=260,
        note="客户同意分两期还清全部欠款。",
    )
    yield 2, "10:20"
    plan = d.propose(
        c,
        kind="installment_plan",
        agreed=d.full_due(c),
        installments=Spread(2, d.day(9), "month"),
        note="全额分2期。",
    )
    yield 3, "09:00"
    plan_accept(plan, actor=c.worker, accepted_on=d.today, source=SOURCE, today=d.today)
    yield 9, "17:00"
    first = plan.installments.order_by("number").first().amount_fen
    d.pay(c, max(first * 3 // 10 // 100 * 100, 100))
    yield 11, "10:00"
    d.log(c, "call", "no_answer")


def plan_settled(d: Desk, c: Pick) -> Script:
    """A settlement with a discount the team lead approved, paid: waived and closed as settled."""
    from arrears.plans.services import plan_accept, plan_decide

    yield 2, "15:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=380,
        note="客户表示可以向亲戚借钱一次性结清，希望减免部分罚息。",
    )
    yield 3, "10:00"
    agreed = less(d.full_due(c), 5)
    plan = d.propose(
        c,
        kind="settlement",
        agreed=agreed,
        installments=[(d.day(10), agreed)],
        note="客户申请一次性结清，减免约5%，超出本人权限，提交组长审批。",
    )
    yield 4, "09:40"
    plan_decide(
        plan,
        actor=c.lead,
        approve=True,
        note="同意：一次性结清，减免幅度在组长权限内。",
        source=SOURCE,
    )
    yield 5, "10:00"
    plan_accept(plan, actor=c.worker, accepted_on=d.today, source=SOURCE, today=d.today)
    yield 9, "15:30"
    d.pay(c, agreed)
    d.file(c, "payment_receipt", "结清转账凭证.png", d.png("receipt"), note="一次性结清的转账凭证")


def plan_rejected(d: Desk, c: Pick) -> Script:
    """A settlement the team lead rejected (ask for payment in full first)."""
    from arrears.plans.services import plan_decide

    yield 5, "11:00"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=240,
        note="客户要求先减免才肯还款。",
    )
    yield 5, "11:20"
    agreed = less(d.full_due(c), 9)
    plan = d.propose(
        c,
        kind="settlement",
        agreed=agreed,
        installments=[(d.day(12), agreed)],
        note="客户要求减免约9%后一次性结清，提交组长审批。",
    )
    yield 6, "09:15"
    plan_decide(
        plan,
        actor=c.lead,
        approve=False,
        note="客户有稳定收入，应先争取全额还款，不同意减免。",
        source=SOURCE,
    )
    yield 7, "10:30"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=150,
        note="已告知客户减免申请未获批准，客户表示再考虑，下周答复。",
    )


def revived(d: Desk, c: Pick) -> Script:
    """A debt time-barred for years: a posted notice delivered changes nothing (the creditor's
    act after expiry); the borrower then signs a collection notice on a visit, which revives
    it (SPC limitation provisions art. 19) — the case page says so."""
    from arrears.notices.services import notice_deliver, notice_serve, notice_sign

    if d.template is None:
        return
    yield 2, "10:00"
    notice = d.notice(c, pay_in_days=30)
    notice_serve(notice=notice, method="post", served_on=d.today, actor=c.worker, source=SOURCE)
    yield 5, "09:00"
    notice_deliver(notice=notice, delivered_on=d.today, actor=c.worker, source=SOURCE)
    yield 9, "10:30"
    d.log(
        c,
        "visit",
        "right_party_contact",
        reason="lack_of_funds",
        duration=1200,
        participants=2,
        recording_ref=f"执法记录仪 FV-{d.today:%Y%m%d}-07",
        note="两人上门，出示工作证并全程录像。借款人承认欠款，在催收通知书上签字，表示年后分期归还。",
    )
    notice_sign(
        notice=notice,
        signed_on=d.today,
        receipt=io.BytesIO(d.png("receipt")),
        receipt_filename="签收回执.png",
        receipt_type="image/png",
        actor=c.worker,
        source=SOURCE,
    )


def told_us(d: Desk, c: Pick) -> Script:
    """The borrower asks for no more text messages and names lunchtime as inconvenient: both
    recorded on the case (audited), and the contact rules read them from then on."""
    from arrears.activities.recorded import fact_record

    yield 2, "10:15"
    d.log(
        c,
        "call",
        "right_party_contact",
        reason="lack_of_funds",
        duration=240,
        note="借款人要求不要再发短信，并说中午12点到2点在工地不方便接电话。",
    )
    fact_record(
        case=c.case,
        kind="opt_out",
        on=d.today,
        channel="sms",
        actor=c.worker,
        source=SOURCE,
        note="电话中要求停止短信",
    )
    fact_record(
        case=c.case,
        kind="inconvenient_time",
        on=d.today,
        starts=dt.time(12, 0),
        ends=dt.time(14, 0),
        actor=c.worker,
        source=SOURCE,
        note="工地午休时间不便接听",
    )


# --- which cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    key: str
    script: Callable[[Desk, Pick], Script]
    count: int
    prefer: tuple[str, ...]  # tags in order of preference; "any" accepts every case
    needs: tuple[str, ...] = ()  # tags every candidate must have


C1 = ("collector1", "collector2", "team0", "any")
C2 = ("collector2", "collector1", "team0", "any")
# Most constrained first, so they get a case before the open choices use them up.
SITUATIONS = (
    Situation(
        "plan_settled", plan_settled, 1, ("collector1", "team0", "any"), ("matured", "own_worker")
    ),
    Situation("field_visit", field_visit, 1, ("field1",)),
    Situation("legal_case", legal_case, 1, ("legal1",)),
    Situation("broken_promise", broken_promise, 2, C1, ("fee",)),
    Situation("broken_promise", broken_promise, 1, C2, ("fee",)),
    Situation("serial_promiser", serial_promiser, 2, C1, ("fee",)),
    Situation("kept_promise", kept_promise, 2, C1),
    Situation("kept_promise", kept_promise, 1, C2),
    Situation("partly_kept", partly_kept, 2, C1),
    Situation("pending_promise", pending_promise, 1, C1),
    Situation("pending_promise", pending_promise, 1, C2),
    Situation("evasive", evasive, 1, C1),
    Situation("evasive", evasive, 1, C2),
    Situation("hardship", hardship, 1, C1),
    Situation("stubborn", stubborn, 1, C1),
    Situation("willful", willful, 1, C1),
    Situation("complaint_open", complaint_open, 1, C1),
    Situation("complaint_resolved", complaint_resolved, 1, C1),
    Situation("death_unverified", death_unverified, 1, C1),
    Situation("death_confirmed", death_confirmed, 1, C1),
    Situation("moved_away", moved_away, 1, C1),
    Situation("plan_pending", plan_pending, 1, C1, ("own_worker",)),
    Situation("plan_active", plan_active, 1, C1),
    Situation("plan_broken", plan_broken, 1, C1),
    Situation("plan_rejected", plan_rejected, 1, C1, ("own_worker",)),
    Situation("revived", revived, 1, ("barred",), ("barred",)),
    Situation("told_us", told_us, 1, C1),
)
# Big enough to owe something worth a promise, small enough not to be cured by one payment.
MIN_DUE_FEN = 300_00
MIN_DPD = 5


def _candidates(first_day: dt.date, users: dict, rng: random.Random) -> list[tuple[object, set]]:
    """The first day's open cases fit for scripted work, in a seeded order, with their tags."""
    from arrears.book.models import Borrower, Installment, Payment
    from arrears.cases.models import Case
    from arrears.eod.models import LoanSnapshot

    cases = list(
        Case.objects.filter(status=Case.Status.OPEN, opened_on=first_day, dpd__gte=MIN_DPD)
        .select_related("loan__product", "borrower", "team")
        .order_by("pk")
    )
    # Holds (complaints, deaths) are about the person: one case per borrower keeps them apart.
    shared = set(
        Case.objects.filter(status=Case.Status.OPEN)
        .values("borrower_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("borrower_id", flat=True)
    )
    loan_ids = [c.loan_id for c in cases]
    figures = {
        loan_id: (due, barred)
        for loan_id, due, barred in LoanSnapshot.objects.filter(
            as_of=first_day, loan_id__in=loan_ids
        ).values_list("loan_id", "total_due_fen", "time_barred")
    }
    # Loans the generated book has paying again later in the window would cure under the
    # script's feet (their cases close); the scripts' payments are the only ones wanted.
    paying = set(
        Payment.objects.filter(loan_id__in=loan_ids, paid_on__gt=first_day).values_list(
            "loan_id", flat=True
        )
    )
    last_due = dict(
        Installment.objects.filter(loan_id__in=loan_ids)
        .values("loan_id")
        .annotate(last=Max("due_on"))
        .values_list("loan_id", "last")
    )
    team0 = users["lead1"].team_id
    out = []
    for case in cases:
        due, barred = figures.get(case.loan_id, (0, True))
        if (
            case.borrower_id in shared
            or case.loan_id in paying
            or due < MIN_DUE_FEN
            or case.borrower.kind != Borrower.Kind.PERSON
        ):
            continue
        if barred:
            # Time-barred debts only for the revival script: the others would not sue on them.
            out.append((case, {"barred"}, due))
            continue
        tags = {"any"}
        for username in ("collector1", "collector2"):
            if case.collector_id == users[username].pk:
                tags.add(username)
        if case.field_agent_id == users["field1"].pk:
            tags.add("field1")
        if case.legal_officer_id == users["legal1"].pk:
            tags.add("legal1")
        if tags & {"collector1", "collector2", "field1", "legal1"}:
            # Worked by someone with no discount authority of their own, so a plan with a
            # discount waits for the team lead (see _worker).
            tags.add("own_worker")
        if case.team_id == team0:
            tags.add("team0")
        if case.loan.product.broken_promise_fee_fen > 0:
            tags.add("fee")
        if last_due.get(case.loan_id) and last_due[case.loan_id] < first_day:
            tags.add("matured")
        out.append((case, tags, due))
    rng.shuffle(out)
    return out


def _worker(case, users: dict):
    """Who works the case day to day: its collector, else field agent, legal officer, lead."""
    for username, column in (
        ("collector1", "collector_id"),
        ("collector2", "collector_id"),
        ("field1", "field_agent_id"),
        ("legal1", "legal_officer_id"),
    ):
        if getattr(case, column) == users[username].pk:
            return users[username]
    return users["lead1"] if case.team_id == users["lead1"].team_id else users["manager"]


def choose(first_day: dt.date, users: dict, rng: random.Random, result: CaseworkResult):
    """(situation, pick) for every situation there is a case for; the rest are skipped."""
    pool = _candidates(first_day, users, rng)
    used: set[int] = set()
    chosen = []
    variants: Counter = Counter()
    for situation in SITUATIONS:
        for _ in range(situation.count):
            best = None
            for case, tags, due in pool:
                if case.pk in used or not set(situation.needs) <= tags:
                    continue
                rank = next((i for i, t in enumerate(situation.prefer) if t in tags), None)
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, case, due)
                    if rank == 0:
                        break
            if best is None:
                result.skipped.append(situation.key)
                continue
            _rank, case, due = best
            used.add(case.pk)
            lead = users["lead1"] if case.team_id == users["lead1"].team_id else users["manager"]
            pick = Pick(
                case=case,
                worker=_worker(case, users),
                lead=lead,
                total_due_fen=due,
                variant=variants[situation.key],
                jitter=rng.randrange(0, 26),
            )
            variants[situation.key] += 1
            chosen.append((situation, pick))
    return chosen


# --- the run -------------------------------------------------------------------------------


def _eod(day: dt.date, result: CaseworkResult) -> None:
    from arrears.eod.services import eod_run

    run = eod_run(as_of=day, actor=None)
    result.eod_runs.append(
        f"{day} ({run.mode}, {run.delinquent} delinquent, {run.cases_opened} opened, "
        f"{run.cases_closed} closed)"
    )


def demo_casework(*, as_of: dt.date, seed: int) -> CaseworkResult:
    """Run end-of-day over the window before `as_of` with the scripted case work in between."""
    from arrears.demo.users import demo_users_ensure

    started = time.perf_counter()
    result = CaseworkResult()
    last_day = min(as_of, local_today())
    first_day = last_day - dt.timedelta(days=WINDOW)
    users = demo_users_ensure()
    rng = random.Random(f"arrears-demo-casework:{seed}")
    _eod(first_day, result)
    desk = Desk(first_day=first_day, result=result)
    chosen = choose(first_day, users, rng, result)
    result.cases = len(chosen)

    queue: list = []

    def advance(seq: int, script: Script, pick: Pick, key: str) -> None:
        """Run the script up to its next step and queue that step (or record its failure)."""
        try:
            k, at = next(script)
        except StopIteration:
            return
        except Exception as exc:  # a refused step ends that case's script; the demo goes on
            result.errors.append(f"{key} (case {pick.case.pk}): {type(exc).__name__}: {exc}")
            return
        hours, minutes = (int(x) for x in at.split(":"))
        heapq.heappush(queue, (k, hours * 60 + minutes + pick.jitter, seq, script, pick, key))

    for seq, (situation, pick) in enumerate(chosen):
        result.by_situation[situation.key] += 1
        result.picks.append((situation.key, pick.case.pk, pick.worker.username))
        advance(seq, situation.script(desk, pick), pick, situation.key)

    pending = [k for k in CHECKPOINTS if k > 0 and first_day + dt.timedelta(days=k) < as_of]
    while queue:
        k, minutes, seq, script, pick, key = heapq.heappop(queue)
        while pending and pending[0] < k:
            _eod(desk.day(pending.pop(0)), result)
        desk.set_time(k, minutes)
        advance(seq, script, pick, key)
    for k in pending:
        _eod(desk.day(k), result)
    # The eve as well: a run writes the next day's due actions and queues, so the eve's run is
    # what gives a collector who signs in to the demo today's work on the workbench.
    eve = as_of - dt.timedelta(days=1)
    if eve > first_day and not result.eod_runs[-1].startswith(eve.isoformat()):
        _eod(eve, result)
    _eod(as_of, result)
    result.seconds = time.perf_counter() - started
    return result


# --- where to look -------------------------------------------------------------------------


@dataclass(frozen=True)
class Showcase:
    """One situation of the case work, found in the database, and who can open it."""

    key: str
    label: str
    case_id: int
    url: str
    seen_by: tuple[str, ...]  # demo users with a scope (admin, manager and auditor see all)


SHOWCASE_LABELS = {
    "kept": "承诺已履行 promise kept",
    "partly_kept": "承诺部分履行 promise partly kept",
    "broken_fee": "承诺未履行，收违约费 promise broken, fee charged",
    "pending": "承诺待到期 promise pending",
    "serial_promiser": "两次失信，建议保证还款型 serial promiser suggested",
    "evasive": "多次未接通，建议逃避型 evasive suggested",
    "type_differs": "催收员所选类型与建议不同 type differs from suggestion",
    "correction": "更正记录 corrected entry",
    "visit": "两人外访，照片与录像 field visit",
    "plan_pending": "分期待组长审批 plan awaiting approval",
    "plan_active": "分期执行中 plan active",
    "plan_broken": "分期违约并升级 plan broken, escalated",
    "plan_completed": "减免结清，案件以和解结案 settlement completed, closed settled",
    "plan_rejected": "减免申请被拒 plan rejected",
    "complaint_open": "投诉处理中，暂停催收 complaint open, contact held",
    "complaint_resolved": "投诉已解决 complaint resolved",
    "legal_track": "恶意拖欠转法律程序 willful, on the legal track",
    "lawsuit": "已起诉，法院已受理 lawsuit filed",
    "death_unverified": "死亡待核实，暂停催收 death being verified, contact held",
    "estate": "遗产处理，亲属代位清偿 estate handling, relative repays",
    "moved_away": "外出务工 moved away (working in another city)",
    "notice_signed": "催款通知书当面送达并签收 notice served and signed",
    "notice_posted": "催款通知书邮寄送达 notice posted and delivered",
    "revived": "时效届满后借款人签收通知书，债务重获保护 time-barred debt revived by a signature",
    "opt_out": "借款人退订短信、告知不便时段 opt-out and inconvenient time recorded",
    "guarantor_released": "保证期间届满未主张，保证人免责 guarantor released",
}


def _released_guarantor_case() -> int | None:
    """An open case whose loan has a guarantor released by the lapse of the guarantee period."""
    from arrears.activities.guarantees import loan_guarantees
    from arrears.cases.models import Case

    today = local_today()
    old = (
        Case.objects.filter(status=Case.Status.OPEN, loan__guarantors__isnull=False)
        .annotate(last_due=Max("loan__installments__due_on"))
        .filter(last_due__lt=today - dt.timedelta(days=200))
        .select_related("loan")
        .order_by("id")
        .distinct()
    )
    for case in old[:20]:
        if any(p.released for _g, p in loan_guarantees(case.loan, as_of=today)):
            return case.pk
    return None


def showcase() -> list[Showcase]:
    """One case per situation of the case work (those the book has), for the demo's users."""
    from django.urls import reverse

    from arrears.activities.models import Activity, RecordedFact
    from arrears.cases.models import Case, Complaint, DeathReport, Whereabouts
    from arrears.cases.selectors import case_profile_suggestion
    from arrears.core.models import User
    from arrears.core.scoping import cases_for
    from arrears.demo.users import DEMO_USERS
    from arrears.documents.models import Document
    from arrears.notices.models import Notice
    from arrears.plans.models import Plan
    from arrears.promises.models import Promise

    def first(qs, column: str = "case_id") -> int | None:
        return qs.order_by(column).values_list(column, flat=True).first()

    found: dict[str, int | None] = {
        "kept": first(Promise.objects.filter(status="kept")),
        "partly_kept": first(Promise.objects.filter(status="partly_kept")),
        "broken_fee": first(Promise.objects.filter(status="broken", fee_charge__isnull=False)),
        "pending": first(Promise.objects.filter(status="pending")),
        "correction": first(Activity.objects.filter(corrects__isnull=False)),
        "visit": first(Activity.objects.filter(channel="visit")),
        "plan_pending": first(Plan.objects.filter(status="pending_approval")),
        "plan_active": first(Plan.objects.filter(status="active")),
        "plan_broken": first(Plan.objects.filter(status="broken")),
        "plan_completed": first(Plan.objects.filter(status="completed")),
        "plan_rejected": first(Plan.objects.filter(status="rejected")),
        "complaint_open": first(Complaint.objects.filter(status__in=Complaint.OPEN_STATUSES)),
        "complaint_resolved": first(Complaint.objects.filter(status="resolved")),
        "legal_track": first(
            Case.objects.filter(escalation="legal_track", activities__default_reason="willful"),
            "id",
        ),
        "lawsuit": first(Document.objects.filter(category__code="court_document")),
        "death_unverified": first(DeathReport.objects.filter(outcome="unverified")),
        "estate": first(Case.objects.filter(estate_party_repays=True), "id"),
        "moved_away": first(Whereabouts.objects.filter(status="moved_away")),
        "notice_signed": first(Notice.objects.filter(signed_on__isnull=False)),
        "notice_posted": first(Notice.objects.filter(served_method="post", signed_on__isnull=True)),
        "revived": first(Notice.objects.filter(served_method="post", signed_on__isnull=False)),
        "opt_out": first(RecordedFact.objects.filter(kind="opt_out")),
        "guarantor_released": _released_guarantor_case(),
    }
    # Suggestions are worked out when asked (never stored): ask only for the worked cases.
    worked = Case.objects.filter(status=Case.Status.OPEN, activities__isnull=False).distinct()
    for case in worked.select_related("debtor_type").order_by("id"):
        suggestion = case_profile_suggestion(case)
        code = suggestion.code if suggestion is not None else None
        if code in ("serial_promiser", "evasive") and found.get(code) is None:
            found[code] = case.pk
        if (
            found.get("type_differs") is None
            and case.debtor_type is not None
            and code is not None
            and code != case.debtor_type.code
        ):
            found["type_differs"] = case.pk
    scoped = [
        User.objects.get(username=u.username)
        for u in DEMO_USERS
        if u.role in ("collector", "team_lead", "field_agent", "legal")
        and User.objects.filter(username=u.username).exists()
    ]
    rows = []
    for key, label in SHOWCASE_LABELS.items():
        case_id = found.get(key)
        if case_id is None:
            continue
        url = reverse("cases:detail", args=[case_id])
        if key == "plan_pending":
            url = f"{url} · {reverse('plans:awaiting')}"
        seen_by = tuple(u.username for u in scoped if cases_for(u).filter(pk=case_id).exists())
        rows.append(Showcase(key=key, label=label, case_id=case_id, url=url, seen_by=seen_by))
    return rows
