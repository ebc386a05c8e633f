"""Recording promises to pay. Views, the API, the activities service and the CLI call this.

Judging (pending → kept, partly kept, broken) happens at end-of-day (promises.eod), never here,
with one exception: a pending promise that the payments already keep is marked kept when a
new promise replaces it, so the borrower does not lose a kept promise to a superseding one.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.book.models import Loan
from arrears.core.audit import audit_record
from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.money import format_yuan
from arrears.promises import selectors
from arrears.promises.errors import PromiseForbidden, PromiseInvalid
from arrears.promises.models import Promise

WORK_CAPABILITY = "case.work"


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def promise_record(
    *,
    case,
    amount_fen: int,
    promised_on: dt.date,
    actor: User | None,
    source: str,
    activity=None,
    created_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Promise:
    """Record that the debtor promised to pay `amount_fen` on the case's loan by `promised_on`.

    `created_on` is the business date the promise was made (default today; the activity
    service passes the day of the call). Checks: the amount is positive and not more than
    everything owed on the loan that day; the date to pay by is not before the day the
    promise was made (so not in the past) and at most ARREARS_PROMISE_MAX_DAYS (30) after it.
    The loan's pending promise whose window is still open that day is superseded. Audited.

    Raises PromiseInvalid(field, message) for bad input (field: amount, promised_on,
    created_on, case, activity), PromiseForbidden when the actor's role may not record it.
    """
    if actor is not None and (actor.is_read_only or not actor.can(WORK_CAPABILITY)):
        raise PromiseForbidden(
            _("your role (%(role)s) may not record promises to pay") % {"role": actor.role}
        )
    today = today or local_today()
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise PromiseInvalid("amount", _("the amount must be a whole number of fen"))
    if amount_fen <= 0:
        raise PromiseInvalid("amount", _("the amount must be greater than zero"))
    if not _is_date(promised_on):
        raise PromiseInvalid("promised_on", _("give the date to pay by (YYYY-MM-DD)"))
    created_on = today if created_on is None else created_on
    if not _is_date(created_on):
        raise PromiseInvalid("created_on", _("give the date the promise was made (YYYY-MM-DD)"))
    if created_on > today:
        raise PromiseInvalid(
            "created_on",
            _("the promise cannot have been made after today (%(today)s)")
            % {"today": today.isoformat()},
        )
    if promised_on < created_on:
        if created_on == today:
            message = _("the date to pay by (%(date)s) is in the past") % {
                "date": promised_on.isoformat()
            }
        else:
            message = _(
                "the date to pay by (%(date)s) is before the promise was made (%(made)s)"
            ) % {
                "date": promised_on.isoformat(),
                "made": created_on.isoformat(),
            }
        raise PromiseInvalid("promised_on", message)
    limit = selectors.max_days()
    last = created_on + dt.timedelta(days=limit)
    if promised_on > last:
        raise PromiseInvalid(
            "promised_on",
            _(
                "a promise may be at most %(days)s days ahead (by %(last)s); "
                "a longer arrangement is a repayment plan"
            )
            % {"days": limit, "last": last.isoformat()},
        )
    if case.status != "open":
        raise PromiseInvalid("case", _("the case is closed"))
    if activity is not None and activity.case_id != case.pk:
        raise PromiseInvalid("activity", _("the activity belongs to another case"))
    if created_on < case.opened_on:
        raise PromiseInvalid(
            "created_on",
            _("the case was opened on %(opened)s, after the promise was made")
            % {"opened": case.opened_on.isoformat()},
        )

    with transaction.atomic():
        # Lock the loan: two promises recorded at once supersede one after the other.
        loan = Loan.objects.select_for_update().select_related("product").get(pk=case.loan_id)
        owed = selectors.loan_full_balance(loan, created_on)
        if owed <= 0:
            raise PromiseInvalid("amount", _("nothing is owed on this loan"))
        if amount_fen > owed:
            raise PromiseInvalid(
                "amount",
                _("the amount is more than everything owed on the loan (%(owed)s yuan)")
                % {"owed": format_yuan(owed)},
            )
        grace = dt.timedelta(days=loan.product.promise_grace_days)
        pending = list(Promise.objects.filter(loan_id=loan.pk, status=Promise.Status.PENDING))
        # A later promise already pending replaces this one (an older call recorded late).
        overtaken = any(p.created_on > created_on for p in pending)
        promise = Promise.objects.create(
            case=case,
            loan=loan,
            borrower_id=case.borrower_id,
            activity=activity,
            amount_fen=amount_fen,
            created_on=created_on,
            promised_on=promised_on,
            status=Promise.Status.SUPERSEDED if overtaken else Promise.Status.PENDING,
            judged_on=created_on if overtaken else None,
            created_by=actor if actor is not None and actor.pk else None,
            source=source,
        )
        audit_record(
            actor=actor,
            event="promise.record",
            object_type="promise",
            object_id=promise.pk,
            after={
                "case": case.pk,
                "loan": loan.external_id,
                "amount_fen": amount_fen,
                "created_on": created_on.isoformat(),
                "promised_on": promised_on.isoformat(),
                "activity": activity.pk if activity is not None else None,
                "status": promise.status,
            },
            source=source,
        )
        if not overtaken:
            for old in pending:
                # Windows whose deadline passed before this promise was made are left for
                # end-of-day to judge (they do not overlap the new one).
                if old.promised_on + grace >= created_on:
                    _supersede(old, by=promise, actor=actor, source=source)
    return promise


def _supersede(old: Promise, *, by: Promise, actor, source: str) -> None:
    # Judged as of the day the new promise was made: later payments count towards that one.
    live = selectors.live_judgement(old, today=by.created_on)
    status = Promise.Status.KEPT if live.status == "kept" else Promise.Status.SUPERSEDED
    before = {"status": old.status, "paid_fen": old.paid_fen}
    Promise.objects.filter(pk=old.pk, status=Promise.Status.PENDING).update(
        status=status,
        paid_fen=live.paid_fen if status == Promise.Status.KEPT else old.paid_fen,
        judged_on=by.created_on,
    )
    audit_record(
        actor=actor,
        event="promise.supersede" if status == Promise.Status.SUPERSEDED else "promise.judge",
        object_type="promise",
        object_id=old.pk,
        before=before,
        after={"status": status, "by": by.pk, "paid_fen": live.paid_fen},
        source=source,
    )
