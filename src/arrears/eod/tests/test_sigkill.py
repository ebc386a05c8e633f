"""A real SIGKILL at several moments of `arrears eod` leaves the previous state or the new one.

Each database gets its own throwaway copy (a temp SQLite file, or a PostgreSQL database of
its own); the child is paused at a phase with ARREARS_EOD_TEST_PAUSE_AT and killed with -9.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# "carried": an incremental run, after its carried rows are copied and before the re-classed
# borrower peers, the pre-due list and the restart events are written.
PAUSE_POINTS = ["loaded", "snapshot_half", "carried", "snapshot_written", "before_commit"]
PREVIOUS, TARGET = "2026-11-20", "2026-11-28"

BUILD = """
import datetime as dt, django
django.setup()
from arrears.book.services import payment_post
from arrears.testing import make_borrower, make_loan
D = dt.date
loans = []
for k in range(40):
    borrower = make_borrower()
    method = ("bullet", "annuity", "equal_principal", "interest_first")[k % 4]
    loans.append(make_loan(
        external_id=f"K{k:03d}", borrower=borrower, method=method,
        term_months=3 + k % 9, disbursed_on=D(2025, 6, 1) + dt.timedelta(days=9 * k),
    ))
for k, loan in enumerate(loans[::3]):
    payment_post(loan=loan, external_id=f"PA{k}", paid_on=D(2026, 3, 1) + dt.timedelta(days=7 * k),
                 amount_fen=150_000 + 1_000 * k, source="import")
# Current loans, first due 2026-12-01 … 12-06: carried forward by an incremental run.
for k in range(6):
    make_loan(external_id=f"N{k:03d}", borrower=make_borrower(),
              disbursed_on=D(2026, 11, 1) + dt.timedelta(days=k))
"""
# Payments dated after the previous run, so the target run closes and opens cases.
CHANGE = """
import datetime as dt, django
django.setup()
from arrears.book.models import Loan
from arrears.book.services import payment_post
for k, loan in enumerate(Loan.objects.order_by("external_id")[:12]):
    payment_post(loan=loan, external_id=f"PB{k}", paid_on=dt.date(2026, 11, 22),
                 amount_fen=5_000_000, source="import")
"""

QUERIES = [
    "SELECT as_of, loan_id, dpd, bucket, classification, overdue_principal_fen,"
    " overdue_interest_fen, penalty_fen, fees_fen, outstanding_principal_fen, total_due_fen,"
    " limitation_deadline, time_barred FROM eod_loansnapshot ORDER BY as_of, loan_id",
    "SELECT as_of, loan_id, installment_number, due_on, amount_due_fen FROM eod_predue"
    " ORDER BY as_of, loan_id, installment_number",
    "SELECT loan_id, borrower_id, opened_on, closed_on, status, close_reason, bucket, dpd,"
    " collector_id FROM cases_case ORDER BY loan_id, opened_on",
    "SELECT c.loan_id, c.opened_on, h.as_of, h.bucket, h.dpd FROM cases_casebuckethistory h"
    " JOIN cases_case c ON c.id = h.case_id ORDER BY c.loan_id, c.opened_on, h.as_of",
    "SELECT as_of, loans, delinquent, newly_delinquent, cured, cases_opened, cases_closed,"
    " pre_due FROM eod_eodrun WHERE status = 'done' ORDER BY id",
    "SELECT as_of, loan_id, event_date FROM eod_externalrestart ORDER BY as_of, loan_id",
]


class Sqlite:
    vendor = "sqlite"

    def __init__(self, tmp: Path):
        self.tmp = tmp

    def env(self, name: str) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["ARREARS_VAR_DIR"] = str(self.tmp / name)
        (self.tmp / name).mkdir(exist_ok=True)
        return env

    def dump(self, name: str, queries=QUERIES) -> list:
        con = sqlite3.connect(self.tmp / name / "arrears.sqlite3")
        try:
            return [[tuple(r) for r in con.execute(q)] for q in queries]
        finally:
            con.close()

    def clone(self, src: str, dst: str) -> None:
        con = sqlite3.connect(self.tmp / src / "arrears.sqlite3")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        (self.tmp / dst).mkdir(exist_ok=True)
        shutil.copy(self.tmp / src / "arrears.sqlite3", self.tmp / dst / "arrears.sqlite3")

    def cleanup(self) -> None:
        pass


class Postgres:
    vendor = "postgresql"

    def __init__(self, base_url: str):
        import psycopg

        self.psycopg = psycopg
        self.base = base_url.rsplit("/", 1)[0]
        self.prefix = f"arrears_eod_kill_{uuid.uuid4().hex[:8]}"
        self.names: list[str] = []

    def _admin(self, sql: str) -> None:
        with self.psycopg.connect(f"{self.base}/postgres", autocommit=True) as con:
            con.execute(sql)

    def db(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def env(self, name: str) -> dict:
        if name not in self.names:
            self._admin(f"CREATE DATABASE {self.db(name)}")
            self.names.append(name)
        return {**os.environ, "DATABASE_URL": f"{self.base}/{self.db(name)}"}

    def dump(self, name: str, queries=QUERIES) -> list:
        with self.psycopg.connect(f"{self.base}/{self.db(name)}") as con:
            return [[tuple(r) for r in con.execute(q).fetchall()] for q in queries]

    def clone(self, src: str, dst: str) -> None:
        self._admin(f"CREATE DATABASE {self.db(dst)} TEMPLATE {self.db(src)}")
        self.names.append(dst)

    def cleanup(self) -> None:
        for name in self.names:
            self._admin(f"DROP DATABASE IF EXISTS {self.db(name)} WITH (FORCE)")


def _pg_url() -> str | None:
    url = os.environ.get("ARREARS_TEST_PG_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_copy(request, tmp_path):
    if request.param == "sqlite":
        target = Sqlite(tmp_path)
    else:
        try:
            target = Postgres(_pg_url())
            target._admin("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - no server: nothing to test here
            pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield target
    target.cleanup()


def run(env: dict, *args: str, code: str | None = None) -> None:
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "arrears.cli", *args]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)


def kill_at(env: dict, phase: str) -> None:
    env = {**env, "ARREARS_EOD_TEST_PAUSE_AT": phase}
    child = subprocess.Popen(
        [sys.executable, "-m", "arrears.cli", "eod", "--as-of", TARGET, "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    try:
        for line in child.stderr:
            if line.startswith(f"EOD-PAUSED {phase}"):
                break
            assert time.monotonic() < deadline, "the child never reached the pause"
        else:
            pytest.fail(f"the child ended without pausing at {phase} (rc {child.wait()})")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_sigkill_at_any_moment_leaves_the_previous_or_the_complete_new_state(db_copy, monkeypatch):
    # Two loader processes here, so the parallel load path runs against a real database
    # (in-process tests load serially: workers cannot see a test's uncommitted rows).
    monkeypatch.setenv("ARREARS_EOD_LOAD_WORKERS", "2")
    _scenario(db_copy)


# The target day runs incrementally (the default after a previous run): no margin for racing
# writers, so the loans the build made seconds before the previous run are carried forward.
INCREMENTAL = {"ARREARS_EOD_CHANGE_MARGIN_SECONDS": "0", "ARREARS_EOD_INCREMENTAL_MAX_SHARE": "1"}
MODE = f"SELECT mode, recomputed, carried FROM eod_eodrun WHERE as_of = '{TARGET}'"


def _scenario(db_copy):
    env = {**db_copy.env("main"), **INCREMENTAL}
    run(env, "migrate", "--no-input", "-v0")
    run(env, code=BUILD)
    run(env, "eod", "--as-of", PREVIOUS, "--no-progress")
    run(env, code=CHANGE)
    previous = db_copy.dump("main")

    # The reference: the same book run once without interruption, and once more in full.
    db_copy.clone("main", "reference")
    db_copy.clone("main", "full")
    ref_env = {**db_copy.env("reference"), **INCREMENTAL}
    run(ref_env, "eod", "--as-of", TARGET, "--no-progress")
    expected = db_copy.dump("reference")
    assert expected != previous
    ((mode, recomputed, carried),) = db_copy.dump("reference", [MODE])[0]
    assert mode == "incremental" and recomputed > 0 and carried > 0
    run({**db_copy.env("full"), **INCREMENTAL}, "eod", "--as-of", TARGET, "--no-progress", "--full")
    assert db_copy.dump("full") == expected
    assert any(row[5] == "cured" or row[5] == "paid_off" for row in expected[2])

    for phase in PAUSE_POINTS:
        kill_at(env, phase)
        assert db_copy.dump("main") == previous, f"killed at {phase}: state changed"

    run(env, "eod", "--as-of", TARGET, "--no-progress")
    assert db_copy.dump("main") == expected
    # The rerun was incremental too, and chose the same loans.
    assert db_copy.dump("main", [MODE]) == db_copy.dump("reference", [MODE])
