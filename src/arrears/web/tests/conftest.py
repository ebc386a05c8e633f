"""Fixtures of the web tests: a small book assigned so that every role sees a different part."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def book(people):
    """One loan per way of being assigned, each with its own borrower.

    carl_loan: team A, collector carl, field agent fay   cora_loan: team A, collector cora
    team_b_loan: team B                                    agency_loan: placed with Agency One
    legal_loan: legal officer lee                          loose_loan: assigned to nobody
    """
    from arrears.book.models import Contact, Guarantor
    from arrears.core.models import Agency, Team
    from arrears.testing import make_borrower, make_loan

    team_a = Team.objects.get(name="Team A")
    team_b = Team.objects.get(name="Team B")
    agency = Agency.objects.get(name="Agency One")
    loans_made: list[str] = []

    def loan(external_id, borrower_id, name, county, town, **assignment):
        borrower = make_borrower(
            external_id=borrower_id,
            name=name,
            county=county,
            town=town,
            phone=f"1390000{len(loans_made) + 1:04d}",
        )
        loans_made.append(external_id)
        return make_loan(
            external_id=external_id,
            borrower=borrower,
            disbursed_on=dt.date(2026, 1, 10),
            **assignment,
        )

    loans = {
        "carl_loan": loan(
            "LA1",
            "BA1",
            "王建国",
            "青川县",
            "卧水镇",
            team=team_a,
            collector=people["carl"],
            field_agent=people["fay"],
        ),
        "cora_loan": loan(
            "LA2", "BA2", "李秀英", "青川县", "乔庄镇", team=team_a, collector=people["cora"]
        ),
        "team_b_loan": loan("LB1", "BB1", "张伟", "剑阁县", "白龙镇", team=team_b),
        "agency_loan": loan("LG1", "BG1", "刘芳", "苍溪县", "陵江镇", agency=agency),
        "legal_loan": loan("LL1", "BL1", "陈明", "苍溪县", "陵江镇", legal_officer=people["lee"]),
        "loose_loan": loan("LN1", "BN1", "杨丽", "剑阁县", "白龙镇"),
    }
    carl_borrower = loans["carl_loan"].borrower
    Contact.objects.create(
        borrower=carl_borrower,
        name="王秀兰",
        relation="spouse",
        phone="13912345678",
        consent_to_contact=True,
        consent_to_sms=False,
    )
    Guarantor.objects.create(
        loan=loans["carl_loan"], name="赵担保", phone="13600002222", id_number="510100198001010011"
    )
    return loans
