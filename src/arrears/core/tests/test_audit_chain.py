"""The audit trail is hash-chained: edits, deletions and reorderings are caught."""

import pytest
from django.core.management import CommandError, call_command

from arrears.core.audit import audit_record, audit_verify
from arrears.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people):
    return [
        audit_record(actor=people["mia"], event="test.event", object_id=str(n), after={"n": n})
        for n in range(5)
    ]


def test_an_untouched_chain_verifies(chain, capsys):
    assert audit_verify().ok
    call_command("audit", "verify")
    assert "5 entries verified" in capsys.readouterr().out


def test_an_edited_entry_is_named(chain):
    AuditEntry.objects.filter(pk=chain[2].pk).update(after={"n": 99})
    report = audit_verify()
    assert (report.ok, report.first_bad_id) == (False, chain[2].pk)
    assert "edited" in report.problem
    with pytest.raises(CommandError, match=f"entry {chain[2].pk}"):
        call_command("audit", "verify")


def test_a_deleted_entry_breaks_the_chain_at_the_next_one(chain):
    AuditEntry.objects.filter(pk=chain[1].pk).delete()
    report = audit_verify()
    assert (report.ok, report.first_bad_id) == (False, chain[2].pk)
    assert "deleted or reordered" in report.problem


def test_reordered_entries_are_caught(chain):
    a, b = (AuditEntry.objects.get(pk=chain[k].pk) for k in (1, 3))
    # Swap the contents of two entries, keeping each one's own hash fields.
    for src, dst in ((a, b), (b, a)):
        AuditEntry.objects.filter(pk=dst.pk).update(
            object_id=src.object_id, after=src.after, prev_hash=src.prev_hash, hash=src.hash
        )
    report = audit_verify()
    assert not report.ok
    assert report.first_bad_id == chain[1].pk


def test_bulk_entries_chain_on_to_the_single_ones(chain, people):
    import datetime as dt
    from decimal import Decimal

    from arrears.core.audit import AuditItem, audit_record_many

    written = audit_record_many(
        actor=people["alice"],
        items=[
            AuditItem("test.bulk", "case", 7, {"status": "open"}, {"status": "closed"}),
            ("test.bulk", "loan", "L-1", None, {"on": dt.date(2026, 11, 28), "x": Decimal("1.50")}),
            *(AuditItem("test.bulk", "case", n) for n in range(8, 11)),
        ],
        source="cli",
        ip="10.0.0.9",
        batch=2,  # several read-back batches
    )
    assert written == 5
    after = audit_record(actor=None, event="test.after")
    bulk = list(AuditEntry.objects.filter(event="test.bulk").order_by("id"))
    assert [e.object_id for e in bulk] == ["7", "L-1", "8", "9", "10"]
    assert bulk[0].prev_hash == chain[-1].hash
    assert after.prev_hash == bulk[-1].hash
    assert {(e.actor_name, e.source, e.ip) for e in bulk} == {("alice", "cli", "10.0.0.9")}
    assert bulk[1].after == {"on": "2026-11-28", "x": "1.50"}
    assert audit_verify().ok
    # Tampering with a bulk entry is caught like any other.
    AuditEntry.objects.filter(pk=bulk[2].pk).update(object_id="99")
    assert audit_verify().first_bad_id == bulk[2].pk


def test_no_items_write_nothing(people):
    from arrears.core.audit import audit_record_many

    assert audit_record_many(actor=people["mia"], items=[]) == 0
    assert not AuditEntry.objects.exists()


def test_bulk_entries_hashed_in_memory_verify_as_stored(people):
    """audit_record_many hashes each entry before writing it (no read-back): the values the
    database hands back must hash the same, for every kind of value an entry carries."""
    import datetime as dt
    from decimal import Decimal

    from arrears.core.audit import audit_record_many

    values = [
        {"名字": "张三", "note": "逾期 M1\n第二行", "quote": 'a "b" \\ c'},
        {"nested": {"list": [1, 2.5, None, True, False], "empty": {}}, "n": -12345678901},
        {"at": dt.datetime(2026, 12, 6, 9, 30, 1, 250, tzinfo=dt.UTC), "d": Decimal("0.10")},
        ["a", 1, 0.5],
        "plain text",
        0,
    ]
    written = audit_record_many(
        actor=people["mia"],
        items=[("test.values", "case", n, v, v) for n, v in enumerate(values)],
    )
    assert written == len(values)
    stored = list(AuditEntry.objects.filter(event="test.values").order_by("id"))
    assert stored[0].after["名字"] == "张三" and stored[3].before == ["a", 1, 0.5]
    assert stored[2].after == {"at": "2026-12-06T09:30:01.000Z", "d": "0.10"}
    report = audit_verify()
    assert report.ok, report
