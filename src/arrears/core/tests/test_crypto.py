"""Keys from the environment, sealing, key rotation (resumable, counted, audited), re-indexing,
the encryption migration, and production refusing to run without keys."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from arrears.book.models import Borrower, Contact, Guarantor
from arrears.core import keys
from arrears.core.crypto import (
    FieldKeyError,
    blind_index,
    decrypt,
    encrypt,
    generate_key,
    keyring,
    sealed_key_id,
)
from arrears.core.models import AuditEntry
from arrears.testing import make_borrower, make_loan

OLD, NEW = generate_key(), generate_key()
INDEX = generate_key()


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


def test_a_value_round_trips_and_names_its_key(settings):
    settings.ARREARS_FIELD_KEYS = f"{NEW},{OLD}"
    sealed = encrypt("13912345678")
    assert sealed.startswith(f"enc1:{keyring().current_id}:")
    assert "13912345678" not in sealed
    assert decrypt(sealed) == "13912345678"
    assert encrypt("") == "" and decrypt("") == ""
    # The second key still opens what it sealed; a key that is gone cannot.
    settings.ARREARS_FIELD_KEYS = OLD
    by_old = encrypt("028-12345678")
    settings.ARREARS_FIELD_KEYS = f"{NEW},{OLD}"
    assert decrypt(by_old) == "028-12345678"
    settings.ARREARS_FIELD_KEYS = NEW
    with pytest.raises(FieldKeyError, match=sealed_key_id(by_old)):
        decrypt(by_old)


def test_a_tampered_value_fails_authentication(settings):
    settings.ARREARS_FIELD_KEYS = NEW
    sealed = encrypt("13912345678")
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    with pytest.raises(FieldKeyError, match="fails authentication"):
        decrypt(flipped)


def test_keys_are_checked_when_read(settings):
    settings.ARREARS_FIELD_KEYS = "not-a-key"
    with pytest.raises(FieldKeyError, match="32 random bytes"):
        keyring()
    settings.ARREARS_FIELD_KEYS = f"{NEW},{NEW}"
    with pytest.raises(FieldKeyError, match="twice"):
        keyring()
    settings.ARREARS_FIELD_KEYS = NEW
    settings.ARREARS_INDEX_KEY = NEW
    with pytest.raises(FieldKeyError, match="must differ"):
        keyring()


def test_development_keys_are_used_only_outside_production(settings):
    settings.ARREARS_FIELD_KEYS = ""
    settings.ARREARS_INDEX_KEY = ""
    settings.PRODUCTION = False
    assert keyring().development
    settings.PRODUCTION = True
    with pytest.raises(FieldKeyError, match="ARREARS_FIELD_KEYS must be set"):
        keyring()
    settings.ARREARS_FIELD_KEYS = NEW
    with pytest.raises(FieldKeyError, match="ARREARS_INDEX_KEY must be set"):
        keyring()
    settings.ARREARS_INDEX_KEY = INDEX
    assert not keyring().development


def _start(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    env.update({"ARREARS_PRODUCTION": "1", "ARREARS_SECRET_KEY": "x" * 50, **env_extra})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='arrears.settings'; django.setup()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_keys():
    refused = _start({})
    assert refused.returncode != 0
    assert "ARREARS_FIELD_KEYS and ARREARS_INDEX_KEY must be set" in refused.stderr
    started = _start({"ARREARS_FIELD_KEYS": NEW, "ARREARS_INDEX_KEY": INDEX})
    # Whatever else production demands, the keys are no longer what it stops on.
    assert "ARREARS_FIELD_KEYS" not in started.stderr


def _book():
    for n in range(7):
        b = make_borrower(phone=f"1390000{n:04d}", phone2="" if n % 2 else f"1370000{n:04d}")
        loan = make_loan(borrower=b)
        Contact.objects.create(borrower=b, name=f"c{n}", relation="spouse", phone=f"1360000{n:04d}")
        Guarantor.objects.create(loan=loan, name=f"g{n}", phone=f"1350000{n:04d}")


def _key_ids() -> set[str]:
    found = set()
    for table, cols in (
        ("book_borrower", "id_number, phone, phone2"),
        ("book_contact", "phone"),
        ("book_guarantor", "phone, id_number"),
    ):
        for row in raw(f"SELECT {cols} FROM {table}"):
            found.update(sealed_key_id(v) for v in row if v)
    return found


@pytest.mark.django_db
def test_rotation_reseals_every_row_under_the_new_key_resumably(settings, people):
    settings.ARREARS_FIELD_KEYS = OLD
    settings.ARREARS_INDEX_KEY = INDEX
    _book()
    before = {b.pk: (b.id_number, b.phone, b.phone2) for b in Borrower.objects.all()}
    digests = raw("SELECT id, phone_digest FROM book_borrower ORDER BY id")
    old_id = keyring().current_id

    settings.ARREARS_FIELD_KEYS = f"{NEW},{OLD}"
    new_id = keyring().current_id
    assert keys.pending(Borrower) == 7
    # Interrupted after 3 rows (a maintenance window): the rest stay readable under the old key.
    first = keys.keys_rotate(actor=people["alice"], chunk=2, limit=3, models=[Borrower])
    assert first.rows == {"book.Borrower": 3}
    assert first.remaining == {"book.Borrower": 4}
    assert {b.pk: (b.id_number, b.phone, b.phone2) for b in Borrower.objects.all()} == before
    # Run again: it goes on where it stopped, and then over every model.
    second = keys.keys_rotate(actor=people["alice"], chunk=2)
    assert second.rows == {
        "book.Borrower": 4,
        "book.Contact": 7,
        "book.Guarantor": 7,
        "activities.Activity": 0,
    }
    assert sum(second.remaining.values()) == 0
    assert _key_ids() == {new_id}
    assert keys.keys_rotate().total == 0  # nothing left: a third run changes nothing

    # Only the new key now: everything still reads the same, digests did not change.
    settings.ARREARS_FIELD_KEYS = NEW
    assert {b.pk: (b.id_number, b.phone, b.phone2) for b in Borrower.objects.all()} == before
    assert raw("SELECT id, phone_digest FROM book_borrower ORDER BY id") == digests
    assert old_id not in keys.key_usage(Borrower)["phone"]
    entries = AuditEntry.objects.filter(event="pii.keys_rotate").order_by("id")
    assert [e.after["rows"] for e in entries][:2] == [first.rows, second.rows]
    assert entries[0].actor == people["alice"] and entries[0].after["key"] == new_id


@pytest.mark.django_db
def test_the_rotate_command_counts_and_says_what_is_left(settings, people):
    settings.ARREARS_FIELD_KEYS = OLD
    _book()
    settings.ARREARS_FIELD_KEYS = f"{NEW},{OLD}"
    out, err = io.StringIO(), io.StringIO()
    call_command("keys", "rotate", "--limit", "5", "--chunk", "2", stdout=out, stderr=err)
    assert "book.Borrower: 5 rows re-sealed" in out.getvalue()
    assert "5 rows re-sealed under key" in out.getvalue()
    assert "16 rows still to do: run again" in out.getvalue()
    out = io.StringIO()
    call_command("keys", "rotate", "--user", "alice", stdout=out, stderr=io.StringIO())
    assert "none left under other keys" in out.getvalue()
    status = io.StringIO()
    call_command("keys", "status", stdout=status)
    assert f"book.Borrower.phone: {keyring().current_id} (current): 7" in status.getvalue()
    assert "0 rows hold values not under the current key" in status.getvalue()
    with pytest.raises(CommandError, match="may not manage keys"):
        call_command("keys", "rotate", "--user", "carl", stdout=io.StringIO())


@pytest.mark.django_db
def test_reindex_after_a_new_index_key(settings, people):
    settings.ARREARS_INDEX_KEY = INDEX
    _book()
    settings.ARREARS_INDEX_KEY = generate_key()
    assert not Borrower.objects.filter(phone_digest=blind_index("phone", "13900000003")).exists()
    progress = keys.keys_reindex(actor=people["alice"])
    assert progress.rows["book.Borrower"] == 7
    assert Borrower.objects.filter(phone_digest=blind_index("phone", "13900000003")).exists()
    assert keys.keys_reindex().total == 0  # already right: nothing written


@pytest.mark.django_db
def test_the_migration_seals_plain_rows_and_its_reverse_opens_them(people):
    # Rows as they were before encryption: plain numbers, blank digests.
    b = make_borrower()
    raw(
        "UPDATE book_borrower SET phone = %s, id_number = %s, phone_digest = '', "
        "id_number_digest = '' WHERE id = %s",
        ["13912345678", "510100198501010015", b.pk],
    )
    assert keys.pending(Borrower) == 1
    assert Borrower.objects.get().phone == "13912345678"  # unsealed rows still read

    assert keys.reseal(Borrower) == 1
    [(phone, digest)] = raw("SELECT phone, phone_digest FROM book_borrower")
    assert "13912345678" not in phone and digest == blind_index("phone", "13912345678")
    assert Borrower.objects.get().phone == "13912345678"

    assert keys.unseal(Borrower) == 1
    assert raw("SELECT phone, id_number, phone_digest FROM book_borrower") == [
        ("13912345678", "510100198501010015", "")
    ]
