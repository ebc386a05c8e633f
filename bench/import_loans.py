"""Benchmark of the loans import (see bench/README.md, "Loans import").

    .venv/bin/python bench/import_loans.py                  # SQLite, 100,000 loans
    .venv/bin/python bench/import_loans.py --db postgres    # PostgreSQL (or set DATABASE_URL)
    .venv/bin/python bench/import_loans.py --rows 20000 --reimport

Writes a synthetic loans CSV (Chinese headers, UTF-8, deterministic) to a temp directory,
migrates a throwaway database (SQLite under a temp ARREARS_VAR_DIR; on PostgreSQL the
database `arrears_bench_import`, dropped and recreated), then times
`arrears.ingest.services.import_loans` on it and prints rows/second and peak memory.
Never touches var/arrears.sqlite3.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

PG_NAME = "arrears_bench_import"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432"

HEADERS = (
    "贷款编号",
    "客户编号",
    "客户姓名",
    "身份证号",
    "手机号",
    "地址",
    "地区",
    "产品",
    "贷款本金",
    "年利率",
    "罚息年利率",
    "放款日期",
    "期限",
    "还款方式",
    "担保人",
    "担保人电话",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
METHODS = ("等额本息", "annuity", "等额本金", "equal_principal", "先息后本", "bullet")
TERMS = (3, 6, 6, 12, 12, 12, 12, 24, 24, 36)


def _region(rng: random.Random) -> str:
    county = rng.choice(("青山县", "白水县", "石门县", "安宁县"))
    town = f"{rng.choice('东南西北上下')}{rng.choice('河坪坝桥溪岭')}镇"
    village = f"{rng.choice('大小新老')}{rng.choice('松竹梅杨柳桃')}村"
    return f"四川省/{county}/{town}/{village}"


def write_tape(path: Path, rows: int, seed: int = 20261128) -> None:
    """A loans CSV of `rows` synthetic loans, one borrower each (10% with a second loan)."""
    from arrears.core.ids import make_id_number

    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for n in range(1, rows + 1):
            b = n if rng.random() > 0.1 or n < 10 else rng.randrange(1, n)  # repeat borrowers
            who = random.Random(b)  # a borrower's own data is the same on each of their loans
            name = who.choice(SURNAMES) + who.choice(GIVEN) + who.choice(("", *GIVEN))
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=who.randrange(0, 15000))
            has_id = who.random() < 0.9
            region = _region(who)
            principal = rng.randrange(500, 200_001) if rng.random() < 0.9 else 200_000
            cents = rng.choice(("", f".{rng.randrange(0, 100):02d}"))
            # Lawful for the default microloan product (24% all-in cap, compliance/caps.py):
            # a blank penalty is 1.5 × the rate, so rates stay at or below 16%.
            rate = rng.choice(("0.12", "12%", "0.15", "16%", "0.0875", "0.16"))
            penalty = rng.choice(("", "", "0.18", "24%"))
            method = rng.choice(METHODS)
            term = 12 if method == "bullet" else rng.choice(TERMS)
            disbursed = start + dt.timedelta(days=rng.randrange(0, 1400))
            date_text = rng.choice(
                (
                    disbursed.isoformat(),
                    f"{disbursed:%Y/%m/%d}",
                    f"{disbursed.year}年{disbursed.month}月{disbursed.day}日",
                )
            )
            guarantor = rng.random() < 0.3
            w.writerow(
                (
                    f"LN{n:08d}",
                    f"CU{b:08d}",
                    name,
                    make_id_number("510100", birth, b) if has_id else "",
                    f"13{rng.randrange(0, 10**9):09d}",
                    f"{rng.randrange(1, 12)}组{rng.randrange(1, 99)}号",
                    region,
                    "",
                    f"{principal}{cents}",
                    rate,
                    penalty,
                    date_text,
                    term,
                    method,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) if guarantor else "",
                    f"139{rng.randrange(0, 10**8):08d}" if guarantor else "",
                )
            )


def _setup(db: str, var_dir: str) -> str:
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["ARREARS_VAR_DIR"] = var_dir
        label = f"SQLite at {var_dir}/arrears.sqlite3"
    else:
        import psycopg

        base = os.environ.get("DATABASE_URL", f"{PG_DEFAULT}/postgres").rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{base}/{PG_NAME}"
        label = f"PostgreSQL database {PG_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return label


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgres"),
        default="postgres" if os.environ.get("DATABASE_URL") else "sqlite",
    )
    parser.add_argument("--reimport", action="store_true", help="time a second, idempotent run")
    parser.add_argument("--progress", action="store_true", help="show the progress bar")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="arrears-bench-import-") as tmp:
        label = _setup(args.db, tmp)
        tape = Path(tmp) / "loans.csv"
        t0 = time.perf_counter()
        write_tape(tape, args.rows)
        print(
            f"tape: {args.rows:,} rows, {tape.stat().st_size / 2**20:.1f} MiB, "
            f"written in {time.perf_counter() - t0:.1f} s"
        )
        print(f"database: {label}")
        before = _peak_mib()

        from arrears.ingest.services import import_loans

        t0 = time.perf_counter()
        report = import_loans(path=tape, progress=args.progress)
        seconds = time.perf_counter() - t0
        if not report.ok:
            for err in report.errors[:20]:
                print(err)
            sys.exit(f"{len(report.errors)} errors: the synthetic tape should be clean")
        print(report.summary())
        print("phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))
        print(
            f"import: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s; "
            f"peak RSS {_peak_mib():.0f} MiB (before import {before:.0f} MiB)"
        )
        if args.reimport:
            t0 = time.perf_counter()
            again = import_loans(path=tape)
            seconds = time.perf_counter() - t0
            print(f"re-import: {again.summary()}")
            print(f"re-import: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s")
        if args.db == "postgres":
            from django.db import connection

            connection.close()


if __name__ == "__main__":
    main()
