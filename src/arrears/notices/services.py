"""Writes of the notices app: templates (versioned, linted), issuing a numbered notice as a PDF,
and recording that it was served, delivered and signed for. Views, the API and the CLI call
these; each runs in one transaction with its audit row.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from arrears.core.audit import audit_record
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.documents.storage import PDF, DocumentRefused
from arrears.notices import render
from arrears.notices.errors import NoticeInvalid, NoticeRefused, TemplateRefused
from arrears.notices.models import Notice, NoticeCounter, NoticeTemplate

TITLE_MAX = 200
BODY_MAX = 20_000
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# A printed letter is not a call: the hours and frequency rules apply when it is handed over,
# not when it is printed. At issue these rule kinds decide: holds, conduct, suit wording.
LETTER_RULE_KINDS = frozenset({"case_hold", "conduct_lint", "time_barred_no_suit"})


def _require(actor: User | None, capability: str, doing: str) -> None:
    # actor None is the system itself (a migration, the demo generator).
    if actor is not None and (actor.is_read_only or not actor.can(capability)):
        raise PermissionDenied(f"your role ({actor.role}) may not {doing}")


# --- templates ------------------------------------------------------------------------------


def lint_pack():
    """The rule pack whose conduct lint templates must pass: the default (active) pack."""
    from arrears.compliance.selectors import default_pack_code, pack_current

    pack = pack_current(default_pack_code())
    if pack is None:
        raise LookupError(f"rule pack {default_pack_code()!r} does not exist")
    return pack


def _lint(text: str, pack) -> list:
    from arrears.compliance.rules import LETTER, lint_template

    return lint_template(text, pack=pack, channel=LETTER)


def template_findings(*, title: str, body: str, pack=None) -> list:
    """The conduct lint's findings on a template (blocking and warnings), title first."""
    pack = pack or lint_pack()
    return _lint(title, pack) + _lint(body, pack)


def _check_template(title: str, body: str, language: str) -> list:
    """Refuse a template that is incomplete, names unknown variables or that the conduct lint
    blocks; return the lint's warnings (shown, not refused)."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise NoticeInvalid("title_required", "a template needs a title", "title")
    if len(title) > TITLE_MAX:
        raise NoticeInvalid("title_too_long", f"at most {TITLE_MAX} characters", "title")
    if not body:
        raise NoticeInvalid("body_required", "a template needs a body", "body")
    if len(body) > BODY_MAX:
        raise NoticeInvalid("body_too_long", f"at most {BODY_MAX} characters", "body")
    if language not in NoticeTemplate.Language.values:
        raise NoticeInvalid("bad_language", "zh-hans or en", "language")
    for field, text in (("title", title), ("body", body)):
        unknown = render.unknown_variables(text)
        if unknown:
            known = " ".join("{" + v + "}" for v in render.VARIABLES)
            raise NoticeInvalid(
                "unknown_variable",
                f"unknown variable {', '.join('{' + u + '}' for u in unknown)}; known: {known}",
                field,
            )
    if "{" + render.AMOUNTS + "}" in title:
        raise NoticeInvalid("misplaced_amounts", "{amounts} belongs in the body", "title")
    if render.misplaced_amounts(body):
        raise NoticeInvalid(
            "misplaced_amounts",
            "{amounts} (the table of amounts) must be a paragraph of its own, at most once",
            "body",
        )
    pack = lint_pack()
    in_title, in_body = _lint(title, pack), _lint(body, pack)
    blocking_title = [f for f in in_title if f.mode == "block"]
    blocking_body = [f for f in in_body if f.mode == "block"]
    if blocking_title or blocking_body:
        raise TemplateRefused(
            blocking_title + blocking_body, field="title" if blocking_title else "body"
        )
    return in_title + in_body


def _audit_template(template: NoticeTemplate, event: str, actor, source, **extra) -> None:
    audit_record(
        actor=actor,
        event=event,
        object_type="notice_template",
        object_id=f"{template.code} v{template.version}",
        after={
            "code": template.code,
            "version": template.version,
            "language": template.language,
            "active": template.active,
            **extra,
        },
        source=source,
    )


@transaction.atomic
def template_create(
    *,
    code: str,
    title: str,
    body: str,
    actor: User | None,
    language: str = NoticeTemplate.Language.ZH,
    note: str = "",
    active: bool = True,
    source: str = "web",
) -> NoticeTemplate:
    """A new template (version 1), linted first; active unless asked otherwise."""
    _require(actor, "notice.templates", "edit notice templates")
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise NoticeInvalid(
            "bad_code",
            "the code is 2–40 lower-case letters, digits or _ and starts with a letter",
            "code",
        )
    if NoticeTemplate.objects.filter(code=code).exists():
        raise NoticeInvalid("duplicate_code", f"a template {code!r} exists already", "code")
    findings = _check_template(title, body, language)
    template = NoticeTemplate.objects.create(
        code=code,
        version=1,
        language=language,
        title=title.strip(),
        body=body.strip(),
        active=active,
        note=(note or "").strip()[:300],
        created_by=actor if actor is not None and actor.pk else None,
    )
    _audit_template(template, "notice.template.create", actor, source, warnings=_rule_ids(findings))
    return template


def _rule_ids(findings) -> list[str]:
    return sorted({f.rule_id for f in findings})


@transaction.atomic
def template_revise(
    *,
    template: NoticeTemplate,
    title: str,
    body: str,
    actor: User | None,
    note: str = "",
    language: str | None = None,
    source: str = "web",
) -> NoticeTemplate:
    """Save an edit as the next version of the template's code. Versions are never changed, so
    notices issued from the old text keep it. The new version is active if the code had an
    active version (which it replaces)."""
    _require(actor, "notice.templates", "edit notice templates")
    language = language or template.language
    findings = _check_template(title, body, language)
    versions = list(
        NoticeTemplate.objects.select_for_update().filter(code=template.code).order_by("pk")
    )
    was_active = any(v.active for v in versions)
    NoticeTemplate.objects.filter(code=template.code, active=True).update(active=False)
    new = NoticeTemplate.objects.create(
        code=template.code,
        version=max(v.version for v in versions) + 1,
        language=language,
        title=title.strip(),
        body=body.strip(),
        active=was_active,
        note=(note or "").strip()[:300],
        created_by=actor if actor is not None and actor.pk else None,
    )
    _audit_template(
        new,
        "notice.template.revise",
        actor,
        source,
        previous_version=template.version,
        note=new.note,
        warnings=_rule_ids(findings),
    )
    return new


@transaction.atomic
def template_activate(
    *, template: NoticeTemplate, actor: User | None, source: str = "web"
) -> NoticeTemplate:
    """Make this version the one issued for its code, after linting it against today's pack
    (the pack may have grown a phrase since the version was saved)."""
    _require(actor, "notice.templates", "edit notice templates")
    template = NoticeTemplate.objects.select_for_update().get(pk=template.pk)
    findings = _check_template(template.title, template.body, template.language)
    NoticeTemplate.objects.filter(code=template.code, active=True).exclude(pk=template.pk).update(
        active=False
    )
    if not template.active:
        template.active = True
        template.save(update_fields=["active"])
        _audit_template(
            template, "notice.template.activate", actor, source, warnings=_rule_ids(findings)
        )
    return template


@transaction.atomic
def template_deactivate(
    *, template: NoticeTemplate, actor: User | None, source: str = "web"
) -> NoticeTemplate:
    """Stop issuing from this template (issued notices are unaffected)."""
    _require(actor, "notice.templates", "edit notice templates")
    template = NoticeTemplate.objects.select_for_update().get(pk=template.pk)
    if template.active:
        template.active = False
        template.save(update_fields=["active"])
        _audit_template(template, "notice.template.deactivate", actor, source)
    return template


# --- issuing --------------------------------------------------------------------------------


def next_number(year: int) -> tuple[int, str]:
    """The next number of `year` (CN-2026-000001, …). Call inside the issuing transaction: the
    counter row stays locked until it commits, so concurrent issues queue here and a rolled
    back issue gives its number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the issuing transaction")
    # Creates the year's row once; a concurrent creator waits on the unique key, then skips.
    NoticeCounter.objects.bulk_create([NoticeCounter(year=year, last=0)], ignore_conflicts=True)
    counter = NoticeCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"CN-{year}-{counter.last:06d}"


def _letter_outcomes(case, text: str):
    """What the loan's rule pack says about sending this letter now: holds on the case, conduct
    in the rendered text, suit wording on a time-barred debt. Returns (blocking, warnings)."""
    from arrears.cases.holds import case_holds
    from arrears.compliance.rules import LETTER, Action, CaseFacts, check_action
    from arrears.compliance.selectors import pack_for_product
    from arrears.eod.selectors import loan_state

    pack = pack_for_product(case.loan.product)
    spec = pack.spec()
    state = loan_state(case.loan)
    facts = CaseFacts(holds=case_holds(case), time_barred=bool(state and state.time_barred))
    decision = check_action(
        Action(channel=LETTER, at=timezone.now(), text=text), facts, pack, planning=True
    )

    def kind(outcome) -> str:
        rule = spec.get(outcome.rule_id)
        return rule.kind if rule else "conduct_lint"

    outcomes = [o for o in decision.outcomes if kind(o) in LETTER_RULE_KINDS]
    return [o for o in outcomes if o.blocks], [o for o in outcomes if not o.blocks]


def _not_after(day: dt.date, limit: dt.date, field: str, what: str) -> None:
    if day > limit:
        raise NoticeInvalid(f"{field}_in_future", f"{what} cannot be after {limit}", field)


def notice_issue(
    *,
    case,
    template: NoticeTemplate,
    as_of: dt.date,
    pay_by: dt.date,
    actor: User | None,
    source: str = "web",
    issued_on: dt.date | None = None,
) -> Notice:
    """Issue a notice on a case: the amounts due as of `as_of` from the ledger, the letter set
    as a PDF with the next number of the year, filed as the case's "notice" document.

    Refused (NoticeInvalid) when the template is not active, the case is closed, the dates are
    wrong, nothing is due, or the rule pack blocks the letter (NoticeRefused: a hold, conduct,
    suit wording on a time-barred debt).
    """
    from arrears.book.selectors import loan_position
    from arrears.documents.services import document_file

    _require(actor, "notice.issue", "issue notices")
    today = local_today()
    issued_on = issued_on or today
    if not template.active:
        raise NoticeInvalid(
            "template_inactive",
            f"template {template.code} v{template.version} is not active",
            "template",
        )
    if case.status != "open":
        raise NoticeInvalid("case_closed", "the case is closed", "case")
    loan = case.loan
    _not_after(issued_on, today, "issued_on", "the issue date")
    _not_after(as_of, issued_on, "as_of", "the amounts' date")
    if as_of < loan.disbursed_on:
        raise NoticeInvalid(
            "as_of_before_disbursement",
            f"the amounts' date is before the loan was disbursed ({loan.disbursed_on})",
            "as_of",
        )
    if pay_by < issued_on:
        raise NoticeInvalid(
            "pay_by_past", f"the pay-by date must be on or after {issued_on}", "pay_by"
        )
    position = loan_position(loan, as_of)
    if position.total_due <= 0:
        raise NoticeInvalid("nothing_due", f"nothing is due on the loan as of {as_of}", "as_of")

    def letter_for(number: str) -> render.Letter:
        return render.compose(
            title=template.title,
            body=template.body,
            language=template.language,
            data=render.LetterData(
                number=number,
                borrower=case.borrower.name,
                loan=loan.external_id,
                company=settings.ARREARS_COMPANY_NAME,
                issued_on=issued_on,
                as_of=as_of,
                pay_by=pay_by,
                dpd=position.dpd,
                principal_fen=position.overdue_principal,
                interest_fen=position.overdue_interest,
                penalty_fen=position.penalty,
                fees_fen=position.fees,
            ),
        )

    # Checked before a number is taken: the number does not change what the letter says.
    blocking, warnings = _letter_outcomes(case, letter_for("CN-0000-000000").text())
    if blocking:
        raise NoticeRefused(blocking)

    with transaction.atomic():
        sequence, number = next_number(issued_on.year)
        letter = letter_for(number)
        pdf = render.render_pdf(letter)
        document = document_file(
            fileobj=io.BytesIO(pdf),
            filename=f"{number}.pdf",
            declared_type=PDF,
            category_code="notice",
            actor=actor,
            case=case,
            note=f"{number} {template.code} v{template.version}",
            source=source,
            allow_retired=True,
        )
        notice = Notice.objects.create(
            number=number,
            year=issued_on.year,
            sequence=sequence,
            template=template,
            template_version=template.version,
            case=case,
            loan=loan,
            borrower=case.borrower,
            issued_on=issued_on,
            issued_by=actor if actor is not None and actor.pk else None,
            as_of=as_of,
            pay_by=pay_by,
            principal_fen=position.overdue_principal,
            interest_fen=position.overdue_interest,
            penalty_fen=position.penalty,
            fees_fen=position.fees,
            total_due_fen=position.total_due,
            document=document,
        )
        audit_record(
            actor=actor,
            event="notice.issue",
            object_type="notice",
            object_id=number,
            after={
                "case": case.pk,
                "loan": loan.external_id,
                "template": f"{template.code} v{template.version}",
                "as_of": as_of,
                "pay_by": pay_by,
                "total_due_fen": position.total_due,
                "document": document.pk,
                "warnings": [o.rule_id for o in warnings],
            },
            source=source,
        )
    return notice


# --- serving and signing --------------------------------------------------------------------

# Handed over in person, or published when the debtor cannot be found: it reached the debtor
# (or is deemed to) on the day itself. Post, courier and email are delivered later, if at all.
DELIVERED_WHEN_SERVED = frozenset(
    {Notice.ServedMethod.IN_PERSON, Notice.ServedMethod.PUBLIC_NOTICE}
)


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("case", "loan").get(pk=notice.pk)


def _audit_notice(notice: Notice, event: str, actor, source, before: dict, after: dict) -> None:
    audit_record(
        actor=actor,
        event=event,
        object_type="notice",
        object_id=notice.number,
        before=before,
        after=after,
        source=source,
    )


@transaction.atomic
def notice_serve(
    *,
    notice: Notice,
    method: str,
    served_on: dt.date,
    actor: User | None,
    served_by: User | None = None,
    delivered_on: dt.date | None = None,
    source: str = "web",
) -> Notice:
    """Record how, when and by whom the notice was served (once). In person and by public
    notice it is delivered the same day; by post, courier or email give `delivered_on` when
    known, or record it later with notice_deliver."""
    _require(actor, "notice.serve", "serve notices")
    notice = _locked(notice)
    if notice.served_on is not None:
        raise NoticeInvalid(
            "already_served", f"{notice.number} was served on {notice.served_on}", "served_on"
        )
    if method not in Notice.ServedMethod.values:
        raise NoticeInvalid(
            "bad_method",
            f"how it was served: one of {', '.join(Notice.ServedMethod.values)}",
            "method",
        )
    today = local_today()
    _not_after(served_on, today, "served_on", "the service date")
    if served_on < notice.issued_on:
        raise NoticeInvalid(
            "served_before_issue", f"it was issued on {notice.issued_on}", "served_on"
        )
    if method in DELIVERED_WHEN_SERVED:
        if delivered_on is not None and delivered_on != served_on:
            raise NoticeInvalid(
                "delivered_on_mismatch",
                "served in person or by public notice: delivered the same day",
                "delivered_on",
            )
        delivered_on = served_on
    if delivered_on is not None:
        _not_after(delivered_on, today, "delivered_on", "the delivery date")
        if delivered_on < served_on:
            raise NoticeInvalid(
                "delivered_before_served", f"it was served on {served_on}", "delivered_on"
            )
    notice.served_method = method
    notice.served_on = served_on
    notice.served_by = served_by or (actor if actor is not None and actor.pk else None)
    notice.delivered_on = delivered_on
    notice.save(update_fields=["served_method", "served_on", "served_by", "delivered_on"])
    _audit_notice(
        notice,
        "notice.serve",
        actor,
        source,
        {},
        {
            "method": method,
            "served_on": served_on,
            "served_by": notice.served_by.username if notice.served_by else None,
            "delivered_on": delivered_on,
        },
    )
    return notice


@transaction.atomic
def notice_deliver(
    *, notice: Notice, delivered_on: dt.date, actor: User | None, source: str = "web"
) -> Notice:
    """Record the day a posted, couriered or emailed notice reached the debtor (once)."""
    _require(actor, "notice.serve", "serve notices")
    notice = _locked(notice)
    if notice.served_on is None:
        raise NoticeInvalid("not_served", f"{notice.number} has not been served", "delivered_on")
    if notice.delivered_on is not None:
        raise NoticeInvalid(
            "already_delivered",
            f"{notice.number} was delivered on {notice.delivered_on}",
            "delivered_on",
        )
    _not_after(delivered_on, local_today(), "delivered_on", "the delivery date")
    if delivered_on < notice.served_on:
        raise NoticeInvalid(
            "delivered_before_served", f"it was served on {notice.served_on}", "delivered_on"
        )
    notice.delivered_on = delivered_on
    notice.save(update_fields=["delivered_on"])
    _audit_notice(notice, "notice.deliver", actor, source, {}, {"delivered_on": delivered_on})
    return notice


@transaction.atomic
def notice_sign(
    *,
    notice: Notice,
    signed_on: dt.date,
    receipt,
    receipt_filename: str,
    receipt_type: str | None,
    actor: User | None,
    source: str = "web",
) -> Notice:
    """Record that the debtor signed for the notice on `signed_on`, with the signed receipt
    (a scan or photo) filed as the case's "notice_receipt" document."""
    from arrears.documents.services import document_file

    _require(actor, "notice.serve", "record signed notices")
    notice = _locked(notice)
    if notice.served_on is None:
        raise NoticeInvalid("not_served", f"{notice.number} has not been served", "signed_on")
    if notice.signed_on is not None:
        raise NoticeInvalid(
            "already_signed", f"{notice.number} was signed for on {notice.signed_on}", "signed_on"
        )
    _not_after(signed_on, local_today(), "signed_on", "the signature date")
    if signed_on < notice.served_on:
        raise NoticeInvalid(
            "signed_before_served", f"it was served on {notice.served_on}", "signed_on"
        )
    if receipt is None:
        raise NoticeInvalid("receipt_required", "attach the signed receipt", "receipt")
    try:
        document = document_file(
            fileobj=receipt,
            filename=receipt_filename,
            declared_type=receipt_type,
            category_code="notice_receipt",
            actor=actor,
            case=notice.case,
            note=f"{notice.number} 签收回执",
            source=source,
            allow_retired=True,
        )
    except DocumentRefused as exc:
        field = "receipt" if exc.field == "file" else exc.field
        raise NoticeInvalid(exc.code, exc.message, field) from exc
    notice.signed_on = signed_on
    notice.receipt = document
    notice.save(update_fields=["signed_on", "receipt"])
    _audit_notice(
        notice,
        "notice.sign",
        actor,
        source,
        {},
        {"signed_on": signed_on, "receipt": document.pk},
    )
    return notice
