"""`arrears keys generate|status|rotate|reindex`: the keys that encrypt personal numbers.

See docs/personal-data.md for the rotation procedure. Thin: the work is in core.keys.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from arrears.core import keys
from arrears.core.crypto import generate_key, keyring
from arrears.core.models import User


class Command(BaseCommand):
    help = (
        "Encryption keys of ID and phone numbers. generate: print new keys; status: which key "
        "seals how many values; rotate: re-seal every value under the current key (the first "
        "of ARREARS_FIELD_KEYS), in chunks, resumable; reindex: recompute the search digests "
        "after ARREARS_INDEX_KEY changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "status", "rotate", "reindex"])
        parser.add_argument("--chunk", type=int, default=keys.CHUNK, help="rows per transaction")
        parser.add_argument(
            "--limit", type=int, help="rotate: stop after about this many rows (run again to go on)"
        )
        parser.add_argument("--user", help="who runs it, for the audit trail (an administrator)")

    def _actor(self, name: str | None) -> User | None:
        if not name:
            return None
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no such user: {name}")
        if not user.can("user.manage"):
            raise CommandError(f"user {name} ({user.role}) may not manage keys")
        return user

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "generate":
            self.stdout.write(f"ARREARS_FIELD_KEYS={generate_key()}")
            self.stdout.write(f"ARREARS_INDEX_KEY={generate_key()}")
            return
        if opts["chunk"] < 1:
            raise CommandError("--chunk must be at least 1")
        ring = keyring()
        if action == "status":
            self._status(ring)
            return
        actor = self._actor(opts["user"])
        if action == "rotate":
            progress = keys.keys_rotate(
                actor=actor,
                chunk=opts["chunk"],
                limit=opts["limit"],
                on_chunk=lambda name, n: self.stderr.write(f"  {name}: {n:,} rows re-sealed"),
            )
            for name, n in progress.rows.items():
                self.stdout.write(f"{name}: {n:,} rows re-sealed")
            left = sum(progress.remaining.values())
            self.stdout.write(
                f"{progress.total:,} rows re-sealed under key {ring.current_id}; "
                + (
                    f"{left:,} rows still to do: run again"
                    if left
                    else "none left under other keys"
                )
            )
        else:
            progress = keys.keys_reindex(actor=actor)
            for name, n in progress.rows.items():
                self.stdout.write(f"{name}: {n:,} rows re-indexed")

    def _status(self, ring) -> None:
        self.stdout.write(
            f"current key {ring.current_id}"
            + (" (the public development key: not for real data)" if ring.development else "")
        )
        others = [k for k in ring.keys if k != ring.current_id]
        if others:
            self.stdout.write(f"older keys still accepted: {', '.join(others)}")
        total = 0
        for model in keys.sealed_models():
            for column, usage in keys.key_usage(model).items():
                shown = ", ".join(
                    f"{k}{' (current)' if k == ring.current_id else ''}: {n:,}"
                    for k, n in sorted(usage.items())
                )
                self.stdout.write(f"{keys.label(model)}.{column}: {shown or 'no values'}")
            total += keys.pending(model)
        self.stdout.write(
            f"{total:,} rows hold values not under the current key"
            + ("; run `arrears keys rotate`" if total else "")
        )
