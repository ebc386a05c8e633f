"""The write-off pages: propose by hand and by filter (with a preview), approve, the
ledger, the case and loan pages, in Chinese and English, for the roles that may."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from arrears.book.models import Loan
from arrears.eod.services import eod_run
from arrears.writeoff.models import WriteOffProposal
from arrears.writeoff.tests.conftest import open_case

pytestmark = pytest.mark.django_db


def client_for(user, lang="zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_pages_are_for_managers_admins_and_auditors(people, case):
    for who, status in (("mia", 200), ("alice", 200), ("aud", 200), ("carl", 403), ("tom", 403)):
        c = client_for(people[who])
        for url in ("/writeoff/", "/writeoff/ledger/", "/writeoff/authority/"):
            assert c.get(url).status_code == status, (who, url)
    assert client_for(people["aud"]).get("/writeoff/new/").status_code == 403
    assert client_for(people["mia"]).get("/writeoff/new/").status_code == 200


def test_a_manager_proposes_by_hand_and_another_approves_on_the_page(people, case):
    mia, alice = client_for(people["mia"]), client_for(people["alice"])
    response = mia.post(
        "/writeoff/new/",
        {"mode": "hand", "reason_code": "other", "loans": "L-WO", "reason": "借款人失联"},
    )
    proposal = WriteOffProposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/writeoff/{proposal.pk}/"
    page = text(mia.get(f"/writeoff/{proposal.pk}/"))
    assert "此核销由您提出，须由他人审批" in page and "批准并核销" not in page
    page = text(alice.get(f"/writeoff/{proposal.pk}/"))
    assert "批准并核销" in page and "L-WO" in page
    alice.post(f"/writeoff/{proposal.pk}/decision/", {"approve": "1", "note": "同意"})
    assert Loan.objects.get(external_id="L-WO").status == "written_off"
    ledger = text(mia.get("/writeoff/ledger/"))
    assert "L-WO" in ledger and "核销台账" in ledger
    # The case page and the case list flag it; the case is still open.
    case_page = text(client_for(people["carl"]).get(f"/cases/{case.pk}/"))
    assert "已核销（账销案存）" in case_page
    assert "已核销" in text(client_for(people["carl"]).get("/cases/"))
    loan_page = text(mia.get("/loans/L-WO/"))
    assert "核销：不再计入账面数据" in loan_page


def test_the_proposer_cannot_approve_on_the_page(people, case):
    mia = client_for(people["mia"])
    mia.post(
        "/writeoff/new/",
        {"mode": "hand", "reason_code": "other", "loans": "L-WO", "reason": "借款人失联"},
    )
    proposal = WriteOffProposal.objects.get()
    response = mia.post(f"/writeoff/{proposal.pk}/decision/", {"approve": "1"})
    assert response.status_code == 403
    assert Loan.objects.get(external_id="L-WO").status == "active"


def test_bad_input_names_the_field_and_changes_nothing(people, case):
    mia = client_for(people["mia"], "en")
    response = mia.post(
        "/writeoff/new/",
        {"mode": "hand", "reason_code": "other", "loans": "L-NOPE", "reason": "x"},
    )
    assert response.status_code == 200
    assert "No such loan: L-NOPE." in text(response)
    response = mia.post("/writeoff/new/", {"mode": "hand", "reason_code": "other", "loans": ""})
    assert "Choose at least one loan." in text(response)
    assert not WriteOffProposal.objects.exists()


def test_a_proposal_by_filter_previews_then_proposes(people, loan, settings):
    from arrears.core.dates import local_today
    from arrears.testing import make_borrower, make_loan

    make_loan(external_id="L-ELSEWHERE", borrower=make_borrower(county="远县"))
    open_case(loan)
    eod_run(as_of=local_today())
    mia = client_for(people["mia"])
    page = mia.get("/writeoff/new/", {"reason_code": "other", "county": "某县"})
    body = text(page)
    assert page.status_code == 200 and "L-WO" in body and "预览" in body
    response = mia.post(
        "/writeoff/new/",
        {"mode": "filter", "reason_code": "other", "county": "某县", "reason": "批量核销"},
    )
    proposal = WriteOffProposal.objects.get()
    assert response.status_code == 302
    assert proposal.basis == "filter" and proposal.filter == {
        "reason_code": "other",
        "county": "某县",
    }
    # The county narrows the filter: the loan of 远县 is not in it.
    assert list(proposal.items.values_list("loan__external_id", flat=True)) == ["L-WO"]
    # Loss class finds nothing here (143 days is 次级).
    assert "按此条件没有可核销的贷款" in text(
        mia.get("/writeoff/new/", {"reason_code": "loss_class", "county": ""})
    )


def test_an_administrator_edits_the_authority_table(people):
    alice = client_for(people["alice"])
    alice.post("/writeoff/authority/", {"role": "manager", "max_total": "200000.00"})
    from arrears.writeoff.models import WriteOffAuthority

    assert WriteOffAuthority.objects.get(role="manager").max_total_fen == 20_000_000
    response = alice.post("/writeoff/authority/", {"role": "manager", "max_total": "一百"})
    assert "请输入金额" in text(response)
    assert (
        client_for(people["mia"])
        .post("/writeoff/authority/", {"role": "manager", "max_total": "1"})
        .status_code
        == 403
    )
