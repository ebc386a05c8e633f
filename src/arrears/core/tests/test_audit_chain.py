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
