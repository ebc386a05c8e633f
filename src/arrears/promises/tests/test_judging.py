"""Promise-to-pay judging: the per-promise rule, and the set-based frame version agreeing with it."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.promises.judging import judge_promise, judge_promises

D = dt.date
MADE = D(2026, 11, 1)
DUE = D(2026, 11, 10)


def judge(payments, as_of, amount=100_000, tolerance=0, grace=0, created=MADE, due=DUE):
    return judge_promise(
        amount_fen=amount,
        created_on=created,
        promised_on=due,
        payments=payments,
        as_of=as_of,
        tolerance_fen=tolerance,
        grace_days=grace,
    )


@pytest.mark.parametrize(
    ("payments", "as_of", "kwargs", "status"),
    [
        # nothing yet, before or on the promised date: pending
        ([], D(2026, 11, 5), {}, "pending"),
        ([], DUE, {}, "pending"),
        # nothing by the promised date: broken the day after
        ([], D(2026, 11, 11), {}, "broken"),
        # paid in full on the promised date: kept
        ([(DUE, 100_000)], DUE, {}, "kept"),
        ([(DUE, 100_000)], D(2026, 12, 31), {}, "kept"),
        # paid early: kept at once, not pending until the date
        ([(D(2026, 11, 3), 100_000)], D(2026, 11, 3), {}, "kept"),
        # in two parts
        ([(D(2026, 11, 2), 40_000), (D(2026, 11, 9), 60_000)], D(2026, 11, 20), {}, "kept"),
        # one day late: broken…
        ([(D(2026, 11, 11), 100_000)], D(2026, 11, 11), {}, "broken"),
        # …unless there is grace
        ([(D(2026, 11, 11), 100_000)], D(2026, 11, 11), {"grace": 1}, "kept"),
        ([], D(2026, 11, 11), {"grace": 1}, "pending"),
        ([], D(2026, 11, 12), {"grace": 1}, "broken"),
        # short by no more than the tolerance: kept; one fen more: partly kept
        ([(DUE, 99_900)], D(2026, 11, 11), {"tolerance": 100}, "kept"),
        ([(DUE, 99_899)], D(2026, 11, 11), {"tolerance": 100}, "partly_kept"),
        # something but not enough: pending until the date, then partly kept
        ([(D(2026, 11, 5), 30_000)], D(2026, 11, 6), {}, "pending"),
        ([(D(2026, 11, 5), 30_000)], D(2026, 11, 11), {}, "partly_kept"),
        # a payment before the promise was made does not count
        ([(D(2026, 10, 31), 100_000)], D(2026, 11, 11), {}, "broken"),
        # one made the same day does
        ([(MADE, 100_000)], D(2026, 11, 11), {}, "kept"),
        # a payment after the as-of date is not known yet
        ([(D(2026, 11, 8), 100_000)], D(2026, 11, 7), {}, "pending"),
        # a tolerance as large as the promise does not make "nothing paid" kept
        ([], D(2026, 11, 11), {"amount": 50, "tolerance": 100}, "broken"),
        ([(DUE, 1)], D(2026, 11, 11), {"amount": 50, "tolerance": 100}, "kept"),
    ],
)
def test_judge_promise(payments, as_of, kwargs, status):
    assert judge(payments, as_of, **kwargs) == status


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        judge([], DUE, amount=0)
    with pytest.raises(TypeError):
        judge([], DUE, amount=1000.0)
    with pytest.raises(TypeError):
        judge([(DUE, 10.5)], DUE)
    with pytest.raises(ValueError):
        judge([], DUE, created=D(2026, 11, 11))
    with pytest.raises(ValueError):
        judge([], DUE, tolerance=-1)


def frames(promises, payments):
    p = pl.DataFrame(
        promises,
        schema={
            "promise_id": pl.Int64,
            "loan_id": pl.Int64,
            "created_on": pl.Date,
            "promised_on": pl.Date,
            "amount_fen": pl.Int64,
        },
        orient="row",
    )
    q = pl.DataFrame(
        payments,
        schema={"loan_id": pl.Int64, "paid_on": pl.Date, "amount_fen": pl.Int64},
        orient="row",
    )
    return p, q


def test_judge_promises_on_a_small_book():
    promises, payments = frames(
        [
            (1, 10, MADE, DUE, 100_000),  # paid on the date: kept
            (2, 20, MADE, DUE, 100_000),  # paid a day late: broken
            (3, 30, MADE, DUE, 100_000),  # part paid: partly kept
            (4, 40, MADE, D(2026, 11, 30), 50_000),  # not due yet: pending
            (5, 50, MADE, DUE, 100_000),  # no payments on the loan at all: broken
        ],
        [
            (10, DUE, 100_000),
            (20, D(2026, 11, 11), 100_000),
            (30, D(2026, 11, 4), 25_000),
            (40, D(2026, 11, 4), 25_000),
        ],
    )
    out = judge_promises(promises, payments, as_of=D(2026, 11, 15), tolerance_fen=0, grace_days=0)
    assert out.columns == ["promise_id", "loan_id", "deadline", "paid_fen", "status"]
    assert out["promise_id"].to_list() == [1, 2, 3, 4, 5]
    assert out["status"].to_list() == ["kept", "broken", "partly_kept", "pending", "broken"]
    assert out["paid_fen"].to_list() == [100_000, 0, 25_000, 25_000, 0]
    assert out["paid_fen"].dtype == pl.Int64

    graced = judge_promises(promises, payments, as_of=D(2026, 11, 15), grace_days=1)
    assert graced["status"].to_list()[1] == "kept"
    assert graced["deadline"].to_list()[0] == D(2026, 11, 11)


def test_per_row_tolerance_and_grace_override_the_arguments():
    promises, payments = frames(
        [(1, 10, MADE, DUE, 100_000), (2, 10, MADE, DUE, 100_000)],
        [(10, D(2026, 11, 11), 99_000)],
    )
    promises = promises.with_columns(
        tolerance_fen=pl.Series([1_000, None], dtype=pl.Int64),
        grace_days=pl.Series([1, None], dtype=pl.Int64),
    )
    out = judge_promises(promises, payments, as_of=D(2026, 11, 20))
    assert out["status"].to_list() == ["kept", "broken"]


def test_judge_promises_refuses_float_money_and_duplicate_ids():
    promises, payments = frames([(1, 10, MADE, DUE, 100)], [(10, DUE, 100)])
    with pytest.raises(TypeError):
        judge_promises(promises, payments.cast({"amount_fen": pl.Float64}), as_of=DUE)
    with pytest.raises(ValueError, match="unique"):
        judge_promises(pl.concat([promises, promises]), payments, as_of=DUE)
    with pytest.raises(ValueError, match="lacks"):
        judge_promises(promises.drop("created_on"), payments, as_of=DUE)


def test_judge_promises_with_no_rows():
    promises, payments = frames([], [])
    out = judge_promises(promises, payments, as_of=DUE)
    assert out.height == 0
    assert out.columns == ["promise_id", "loan_id", "deadline", "paid_fen", "status"]


BASE = D(2026, 1, 1)
days = st.integers(min_value=0, max_value=40)


@st.composite
def books(draw):
    n_loans = draw(st.integers(min_value=1, max_value=4))
    promises = []
    for pid in range(draw(st.integers(min_value=0, max_value=8))):
        made = draw(days)
        promises.append(
            (
                pid,
                draw(st.integers(min_value=0, max_value=n_loans - 1)),
                BASE + dt.timedelta(days=made),
                BASE + dt.timedelta(days=made + draw(st.integers(min_value=0, max_value=10))),
                draw(st.integers(min_value=1, max_value=5_000)),
            )
        )
    payments = [
        (
            draw(st.integers(min_value=0, max_value=n_loans - 1)),
            BASE + dt.timedelta(days=draw(days)),
            draw(st.integers(min_value=1, max_value=3_000)),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=12)))
    ]
    return promises, payments


@settings(max_examples=300, deadline=None)
@given(
    book=books(),
    as_of=days.map(lambda d: BASE + dt.timedelta(days=d)),
    tolerance=st.integers(min_value=0, max_value=6_000),
    grace=st.integers(min_value=0, max_value=3),
)
def test_set_based_judging_agrees_with_the_per_promise_rule(book, as_of, tolerance, grace):
    promises, payments = book
    p, q = frames(promises, payments)
    out = judge_promises(p, q, as_of=as_of, tolerance_fen=tolerance, grace_days=grace)
    expected = [
        judge_promise(
            amount_fen=amount,
            created_on=made,
            promised_on=due,
            payments=[(paid_on, fen) for loan, paid_on, fen in payments if loan == loan_id],
            as_of=as_of,
            tolerance_fen=tolerance,
            grace_days=grace,
        )
        for _, loan_id, made, due, amount in promises
    ]
    assert out["promise_id"].to_list() == [row[0] for row in promises]
    assert out["status"].to_list() == expected
