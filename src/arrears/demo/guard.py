"""Whether this database is the demo's: `arrears demo --reset` deletes the loan book and
`arrears demo_users` gives users public passwords, so both refuse anywhere real.

Refused, saying why: production settings (`ARREARS_PRODUCTION=1`), or a database that holds
anything the demo did not create — users other than the demo's, a demo user name added by a
person (`user.add`), imported files (`import.*`), loans the demo generator never wrote.
"""

from __future__ import annotations

from django.conf import settings

from arrears.book.models import Loan
from arrears.core.models import AuditEntry, User
from arrears.demo.generator import DemoError
from arrears.demo.users import DEMO_USERS


def demo_foreign_data() -> list[str]:
    """What this database holds that the demo did not create (empty on a demo database)."""
    from arrears.demo.allocation import EXTRA

    # The demo's users, and the collectors the allocation demo adds to each team.
    names = [u.username for u in DEMO_USERS] + [name for name, _team, _full in EXTRA]
    reasons: list[str] = []
    others = User.objects.exclude(username__in=names)
    if others.exists():
        sample = ", ".join(others.order_by("username").values_list("username", flat=True)[:3])
        reasons.append(f"{others.count()} user(s) the demo did not create ({sample})")
    added = AuditEntry.objects.filter(event="user.add", object_id__in=names).order_by("id")
    if added.exists():
        reasons.append(f"user {added.first().object_id} added by a person (arrears user add)")
    imported = AuditEntry.objects.filter(event__startswith="import.").order_by("id").first()
    if imported is not None:
        reasons.append(f"imported data ({imported.event} on {imported.at:%Y-%m-%d})")
    if Loan.objects.exists() and not AuditEntry.objects.filter(event="demo.generate").exists():
        reasons.append("loans the demo generator did not write")
    return reasons


def demo_guard(action: str) -> None:
    """Raise DemoError, saying why, unless `action` may run on this database."""
    if settings.PRODUCTION:
        raise DemoError(
            f"{action} refuses to run with production settings (ARREARS_PRODUCTION=1): "
            "it deletes data or sets public passwords"
        )
    reasons = demo_foreign_data()
    if reasons:
        raise DemoError(
            f"{action} refuses to run: this database holds {'; '.join(reasons)}. "
            "It runs only on a demo database (an empty one, or one the demo built)."
        )
