"""ID and phone numbers are encrypted at rest, searchable through blind indexes only, and written
sealed by every path: the ORM, the import's plain-row inserts and the demo generator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.utils import timezone

from arrears.book.models import Borrower, Contact, Guarantor
from arrears.core.crypto import blind_index, is_sealed, search_digests, with_index_fields
from arrears.ingest.bulk import insert_rows
from arrears.testing import make_borrower, make_loan

pytestmark = pytest.mark.django_db

ID = "510100198501010015"
PHONE = "13912345678"


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_numbers_are_ciphertext_in_the_database_and_plain_through_the_orm(people):
    from arrears.activities.models import Activity
    from arrears.cases.models import Case

    b = make_borrower(id_number=ID, phone=PHONE, phone2="028-12345678")
    loan = make_loan(borrower=b)
    Contact.objects.create(borrower=b, name="王妻", relation="spouse", phone="13900001111")
    Guarantor.objects.create(loan=loan, name="赵担保", phone="13600002222", id_number=ID)
    case = Case.objects.create(loan=loan, borrower=b, opened_on=dt.date(2026, 2, 1), bucket="M1")
    Activity.objects.create(
        case=case,
        loan=loan,
        borrower=b,
        channel="call",
        outcome="no_answer",
        occurred_at=timezone.now(),
        number="13700003333",
    )

    stored = [
        *raw("SELECT id_number, phone, phone2 FROM book_borrower"),
        *raw("SELECT phone, '', '' FROM book_contact"),
        *raw("SELECT phone, id_number, '' FROM book_guarantor"),
        *raw("SELECT number, '', '' FROM activities_activity"),
    ]
    everything = repr(stored)
    for plain in (
        ID,
        PHONE,
        "028-12345678",
        "12345678",
        "13900001111",
        "13600002222",
        "13700003333",
    ):
        assert plain not in everything
    assert all(is_sealed(v) for row in stored for v in row if v)

    b = Borrower.objects.get(pk=b.pk)
    assert (b.id_number, b.phone, b.phone2) == (ID, PHONE, "028-12345678")
    assert list(Contact.objects.values_list("phone", flat=True)) == ["13900001111"]
    assert list(Guarantor.objects.values_list("phone", "id_number")) == [("13600002222", ID)]
    assert Activity.objects.get().number == "13700003333"
    # Sealing uses a fresh nonce: the same number twice is two different ciphertexts.
    [(a, c)] = raw("SELECT id_number, (SELECT id_number FROM book_guarantor) FROM book_borrower")
    assert a != c


def test_blind_indexes_follow_every_orm_write(people):
    b = make_borrower(phone=PHONE)
    assert raw("SELECT phone_digest FROM book_borrower") == [(blind_index("phone", PHONE),)]
    b.phone = "+86 138 0013 8000"
    b.save()
    assert raw("SELECT phone_digest, phone_tail FROM book_borrower") == [
        (blind_index("phone", "13800138000"), blind_index("phone", "13800138000", "tail4"))
    ]
    # bulk_update writes the digests it is told to: with_index_fields names them.
    b.phone = "13700001234"
    b.id_number = ID
    fields = with_index_fields(Borrower, ["phone", "id_number"])
    assert set(fields) == {"phone", "id_number", "phone_digest", "phone_tail", "id_number_digest"}
    Borrower.objects.bulk_update([b], fields)
    assert raw("SELECT phone_digest, id_number_digest FROM book_borrower") == [
        (blind_index("phone", "13700001234"), blind_index("id_number", ID))
    ]
    # A blank number has a blank digest, so it can never be found.
    b.phone = ""
    b.save()
    assert raw("SELECT phone, phone_digest, phone_tail FROM book_borrower") == [("", "", "")]


def test_search_by_digest_matches_the_normalised_number_exactly(people):
    b = make_borrower(phone=PHONE, id_number=ID)
    for text in (PHONE, "+86 139 1234 5678", "139-1234-5678"):
        digest = search_digests("phone", text)["full"]
        assert list(Borrower.objects.filter(phone_digest=digest)) == [b]
    assert list(Borrower.objects.filter(phone_tail=search_digests("phone", "5678")["tail4"])) == [b]
    # Part of a number is not that number: no match (blind indexes compare whole values).
    part = search_digests("phone", "12345678")["full"]
    assert not Borrower.objects.filter(phone_digest=part).exists()
    assert search_digests("phone", "567") == {}
    digest = search_digests("id_number", ID[:-1] + " " + ID[-1])["full"]
    assert list(Borrower.objects.filter(id_number_digest=digest)) == [b]


def test_comparing_ciphertext_in_sql_is_refused_loudly(people):
    make_borrower(phone=PHONE)
    with pytest.raises(FieldError, match="encrypted"):
        list(Borrower.objects.filter(phone=PHONE))
    with pytest.raises(FieldError):
        list(Borrower.objects.filter(phone__endswith="5678"))
    # Blank checks still work: blank numbers are stored blank.
    assert Borrower.objects.filter(phone2="").count() == 1
    assert Borrower.objects.exclude(phone="").count() == 1


def test_plain_row_inserts_write_ciphertext_and_digests(people):
    b = make_borrower(phone="")
    loan = make_loan(borrower=b)
    insert_rows(Guarantor, ("loan", "name", "phone"), [(loan.pk, "李担保", "13900002222")])
    insert_rows(
        Contact, ("borrower", "name", "phone", "relation"), iter([(b.pk, "李", "", "self")])
    )
    [(phone, digest, id_number, id_digest)] = raw(
        "SELECT phone, phone_digest, id_number, id_number_digest FROM book_guarantor"
    )
    assert is_sealed(phone) and "13900002222" not in phone
    assert digest == blind_index("phone", "13900002222")
    assert (id_number, id_digest) == ("", "")
    assert Guarantor.objects.get().phone == "13900002222"
    assert raw("SELECT phone, phone_digest FROM book_contact") == [("", "")]


def test_the_loans_import_stores_numbers_sealed(tmp_path, people):
    from arrears.ingest.services import import_loans
    from arrears.ingest.tests.files import LOAN_HEADERS, loan_row, write_csv

    path = write_csv(
        tmp_path / "loans.csv",
        LOAN_HEADERS,
        [loan_row(1, guarantor_name="李担保", guarantor_phone="13900001111")],
    )
    assert import_loans(path=path).ok
    b = Borrower.objects.get()
    dump = repr(raw("SELECT * FROM book_borrower")) + repr(raw("SELECT * FROM book_guarantor"))
    assert b.phone not in dump and b.id_number not in dump and "13900001111" not in dump
    assert list(Borrower.objects.filter(phone_digest=blind_index("phone", b.phone))) == [b]
    # A re-import with a new phone updates the number and its digest together.
    path = write_csv(tmp_path / "again.csv", LOAN_HEADERS, [loan_row(1, phone="13700007777")])
    assert import_loans(path=path).ok
    b.refresh_from_db()
    assert b.phone == "13700007777"
    assert raw("SELECT phone_digest FROM book_borrower") == [(blind_index("phone", "13700007777"),)]


def test_the_demo_generator_writes_numbers_sealed(db):
    from arrears.demo.generator import demo_generate

    demo_generate(loans=30, seed=3, as_of=dt.date(2026, 11, 28), chunk_size=30)
    rows = raw("SELECT id_number, phone, phone_digest FROM book_borrower ORDER BY id")
    assert rows and all(is_sealed(i) and is_sealed(p) for i, p, _ in rows)
    b = Borrower.objects.order_by("id").first()
    assert rows[0][2] == blind_index("phone", b.phone)
    assert all(is_sealed(p) for (p,) in raw("SELECT phone FROM book_contact") if p)
    assert all(
        is_sealed(p) and is_sealed(i) for p, i in raw("SELECT phone, id_number FROM book_guarantor")
    )
