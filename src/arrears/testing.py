"""Small factories for tests: named users per role, products, borrowers and loans.

Named people, as in Healthchecks' tests: alice (admin), mia (manager), tom (team lead of
team A), carl and cora (collectors in team A), fay (field agent), lee (legal), ada (agency
user of Agency One), aud (auditor). A test that needs an outsider makes one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from arrears.book.models import Borrower, Loan, Product
from arrears.book.services import loan_create, product_default
from arrears.core.ids import make_id_number
from arrears.core.models import Agency, Team, User
from arrears.core.roles import Role

_seq = itertools.count(1)

PASSWORD = "correct horse battery staple"


def make_user(
    username: str, role: str, *, team: Team | None = None, agency: Agency | None = None
) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, team=team, agency=agency
    )
    return user


def make_people() -> dict[str, User]:
    team_a, _ = Team.objects.get_or_create(name="Team A")
    team_b, _ = Team.objects.get_or_create(name="Team B")
    agency, _ = Agency.objects.get_or_create(name="Agency One")
    return {
        "alice": make_user("alice", Role.ADMIN),
        "mia": make_user("mia", Role.MANAGER),
        "tom": make_user("tom", Role.TEAM_LEAD, team=team_a),
        "tina": make_user("tina", Role.TEAM_LEAD, team=team_b),
        "carl": make_user("carl", Role.COLLECTOR, team=team_a),
        "cora": make_user("cora", Role.COLLECTOR, team=team_a),
        "fay": make_user("fay", Role.FIELD_AGENT, team=team_a),
        "lee": make_user("lee", Role.LEGAL),
        "ada": make_user("ada", Role.AGENCY, agency=agency),
        "aud": make_user("aud", Role.AUDITOR),
    }


def make_borrower(**kw) -> Borrower:
    n = next(_seq)
    defaults = {
        "external_id": f"B{n:06d}",
        "name": f"张{n}",
        "id_number": make_id_number("510100", dt.date(1985, 1, 1), n),
        "phone": f"138{n:08d}",
        "province": "四川省",
        "county": "某县",
        "town": "卧水镇",
        "village": "马头冲村",
    }
    defaults.update(kw)
    return Borrower.objects.create(**defaults)


def make_product(**kw) -> Product:
    if not kw:
        return product_default()
    n = next(_seq)
    defaults = {"code": f"P{n}", "name": f"Product {n}"}
    defaults.update(kw)
    return Product.objects.create(**defaults)


def make_loan(
    *,
    external_id: str | None = None,
    borrower: Borrower | None = None,
    product: Product | None = None,
    principal: str | int = "10000.00",
    annual_rate: str = "0.12",
    penalty_rate: str | None = "0.18",
    disbursed_on: dt.date = dt.date(2026, 1, 10),
    term_months: int = 12,
    method: str = "annuity",
    **assignment,
) -> Loan:
    from arrears.core.money import to_fen

    n = next(_seq)
    loan = loan_create(
        external_id=external_id or f"L{n:06d}",
        borrower=borrower or make_borrower(),
        product=product or product_default(),
        principal_fen=to_fen(str(principal)),
        annual_rate=Decimal(annual_rate),
        penalty_rate=Decimal(penalty_rate) if penalty_rate is not None else None,
        disbursed_on=disbursed_on,
        term_months=term_months,
        repayment_method=method,
    )
    if assignment:
        Loan.objects.filter(pk=loan.pk).update(**assignment)
        loan.refresh_from_db()
    return loan


# Browser tests (the `browser` fixture is in the root conftest.py).
PHONE = {"width": 390, "height": 844}


def browser_sign_in(browser, live_server, username: str, viewport: dict = PHONE):
    """A new page, signed in as `username` (Chinese interface, phone-sized by default)."""
    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def fits_width(page) -> bool:
    """Whether the page fits its window's width (nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
