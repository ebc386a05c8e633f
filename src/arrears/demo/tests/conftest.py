"""A small generated book (a few hundred loans) for the demo tests."""

import datetime as dt

import pytest

from arrears.demo.generator import demo_generate

AS_OF = dt.date(2026, 11, 28)
LOANS = 400


@pytest.fixture
def demo_book(db):
    return demo_generate(loans=LOANS, seed=7, as_of=AS_OF, chunk_size=150)
