"""Cases the compliance rules forbid contacting on the queue's day are left out, each with the
rule and the reason; the facts are set through the real services, as people record them."""

from __future__ import annotations

import polars as pl
import pytest

from arrears.activities.recorded import fact_record
from arrears.book.models import Product
from arrears.cases.models import Case
from arrears.cases.services import complaint_open
from arrears.compliance.selectors import pack_current
from arrears.compliance.services import product_rulepack_set, rulepack_revise
from arrears.queues import sources
from arrears.queues.models import QueueEntry, QueueExclusion
from arrears.queues.tests.conftest import AS_OF, NEXT_DAY, run_eod

pytestmark = pytest.mark.django_db


def queue_loans(user):
    return list(
        QueueEntry.objects.filter(on=NEXT_DAY, user=user)
        .order_by("position")
        .values_list("loan_id", flat=True)
    )


def test_an_open_dispute_leaves_the_case_out_and_says_why(book, people):
    run_eod()
    case = Case.objects.get(loan=book["carl_mid"])
    complaint_open(case=case, category="other", description="借款人称已还清", actor=people["carl"])

    run_eod()

    assert queue_loans(people["carl"]) == [book["carl_big"].pk, book["carl_small"].pk]
    [out] = QueueExclusion.objects.filter(on=NEXT_DAY)
    assert (out.case_id, out.user_id, out.channel, out.rule_id) == (
        case.pk,
        people["carl"].pk,
        "call",
        "CN.HOLD_DISPUTE",
    )
    assert "争议" in out.reason_zh
    assert "dispute" in out.reason_en
    assert out.next_allowed_at is None  # a hold has no known end


def test_a_left_out_case_gives_its_place_to_the_next_in_line(book, people):
    people["carl"].daily_capacity = 2
    people["carl"].save(update_fields=["daily_capacity"])
    run_eod()
    big = Case.objects.get(loan=book["carl_big"])
    complaint_open(case=big, category="other", description="对金额有异议", actor=people["carl"])

    run_eod()

    assert queue_loans(people["carl"]) == [book["carl_mid"].pk, book["carl_small"].pk]
    assert list(QueueExclusion.objects.values_list("case_id", "rule_id")) == [
        (big.pk, "CN.HOLD_DISPUTE")
    ]


def test_an_opt_out_under_the_us_pack_leaves_out_that_channel_only(book, people):
    product = Product.objects.get(pk=book["carl_mid"].product_id)
    us = pack_current("us_reg_f")
    rulepack_revise(pack=us, changes={"is_active": True}, actor=people["alice"])
    product_rulepack_set(product=product, code="us_reg_f", actor=people["alice"])
    run_eod()
    case = Case.objects.get(loan=book["carl_mid"])
    fact_record(case=case, kind="opt_out", on=AS_OF, channel="sms", actor=people["carl"])

    def sms_and_call(on):
        return pl.DataFrame(
            {
                "case_id": [case.pk, case.pk],
                "segment": ["early", "early"],
                "step": ["sms1", "call1"],
                "channel": ["sms", "call"],
                "role": ["collector", "collector"],
            }
        )

    sources.register_action_source(sms_and_call)
    try:
        run_eod()
    finally:
        sources.unregister_action_source(sms_and_call)

    assert list(QueueEntry.objects.filter(on=NEXT_DAY).values_list("case_id", "channel")) == [
        (case.pk, "call")
    ]
    [out] = QueueExclusion.objects.filter(on=NEXT_DAY)
    assert (out.case_id, out.channel, out.rule_id) == (case.pk, "sms", "US.OPT_OUT")


def test_rerunning_replaces_the_days_exclusions(book, people):
    run_eod()
    case = Case.objects.get(loan=book["carl_mid"])
    complaint = complaint_open(
        case=case, category="other", description="有异议", actor=people["carl"]
    )
    run_eod()
    assert QueueExclusion.objects.filter(on=NEXT_DAY).count() == 1

    from arrears.cases.services import complaint_resolve

    complaint_resolve(
        complaint=complaint, status="rejected", resolution="核实无误", actor=people["tom"]
    )
    run_eod()

    assert QueueExclusion.objects.filter(on=NEXT_DAY).count() == 0
    assert book["carl_mid"].pk in queue_loans(people["carl"])


def test_a_queue_planned_outside_contact_hours_says_when_next_allowed(book, people, settings):
    # Asking the rules about 23:00 (outside 08:00–22:00): every call is left out, allowed
    # again at 08:00 the next morning, borrower's time.
    import datetime as dt

    from arrears.core.dates import local_zone

    settings.ARREARS_QUEUE_CHECK_AT = "23:00"

    run_eod()

    assert QueueEntry.objects.filter(on=NEXT_DAY).count() == 0
    rows = list(QueueExclusion.objects.filter(on=NEXT_DAY))
    assert len(rows) == 4  # carl's three cases, cora's one
    morning = dt.datetime.combine(NEXT_DAY + dt.timedelta(days=1), dt.time(8), local_zone())
    assert {(x.rule_id, x.next_allowed_at) for x in rows} == {("CN.CONTACT_HOURS", morning)}
