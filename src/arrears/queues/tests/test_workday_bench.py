"""bench/workday.py at a toy size, so the benchmark of the end-of-day case work cannot rot:
its book loads, every phase it times is still registered and runs, and the next day moves a
few cases where the first moved many."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def bench_module():
    script = settings.PROJECT_DIR / "bench" / "workday.py"
    spec = importlib.util.spec_from_file_location("bench_workday", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_workday_benchmark_runs_two_days_and_the_second_moves_few_cases():
    bench = bench_module()
    book = importlib.import_module("_book")  # bench/_book.py, on the path the script set
    book.populate(2_000, 300, 40)
    book.treatment_history()

    first = bench.workday(book.AS_OF)
    bench.next_day(book.AS_OF + dt.timedelta(days=1))
    second = bench.workday(book.AS_OF + dt.timedelta(days=1))

    assert first["strategy"]["due"] > 0
    assert first["allocation"]["routed"] > 0 and first["allocation"]["placed"] > 0
    assert first["rotation"]["rotated"] > 0
    assert first["queues"]["entries"] > 0 and first["queues"]["excluded"] > 0
    assert 0 < second["moves"] < first["moves"] / 5
    assert second["queues"]["entries"] > 0
    # The day's case work marks no loan changed: the next end-of-day stays incremental.
    assert first["loans_marked_changed"] == second["loans_marked_changed"] == 0
