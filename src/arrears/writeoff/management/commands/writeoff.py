"""`arrears writeoff …`: write-off (核销) from the command line, through the same services.

arrears writeoff propose --user U --reason TEXT (--loans L1,L2 | --filter CODE [--county C])
                         [--dry-run]
arrears writeoff approve ID --user U [--note TEXT]
arrears writeoff reject ID --user U --note TEXT
arrears writeoff list [--status pending] --user U
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from arrears.core.dates import local_today
from arrears.core.models import User
from arrears.core.money import format_yuan
from arrears.writeoff import selectors, services
from arrears.writeoff.errors import WriteOffError
from arrears.writeoff.models import Reason, WriteOffProposal


def _user(name: str) -> User:
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user named {name!r}")
    return user


class Command(BaseCommand):
    help = "Write-off (核销): propose by loan IDs or by filter, approve, reject, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        propose = sub.add_parser("propose", help="propose loans for write-off")
        propose.add_argument("--user", required=True, help="the proposer (a manager)")
        propose.add_argument("--reason", required=True, help="the explanation")
        propose.add_argument("--reason-code", default="", choices=["", *Reason.values])
        propose.add_argument("--loans", default="", help="loan IDs, comma-separated")
        propose.add_argument(
            "--filter", default="", choices=["", *Reason.values], help="choose by this filter"
        )
        propose.add_argument("--county", default="", help="narrow the filter to a county")
        propose.add_argument(
            "--dry-run", action="store_true", help="list what the filter finds, propose nothing"
        )
        for name in ("approve", "reject"):
            p = sub.add_parser(name, help=f"{name} a pending proposal")
            p.add_argument("id", type=int)
            p.add_argument("--user", required=True)
            p.add_argument("--note", default="")
        lst = sub.add_parser("list", help="list proposals")
        lst.add_argument("--user", required=True)
        lst.add_argument("--status", default="", choices=["", *WriteOffProposal.Status.values])

    def handle(self, *args, **options):
        with translation.override("en"):
            try:
                getattr(self, f"_{options['action']}")(options)
            except WriteOffError as exc:
                raise CommandError(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from exc

    def _propose(self, o):
        user = _user(o["user"])
        if bool(o["loans"]) == bool(o["filter"]):
            raise CommandError("give either --loans or --filter")
        code = o["reason_code"] or o["filter"] or "other"
        if o["filter"]:
            found = selectors.candidates(user=user, reason=o["filter"], county=o["county"])
            if o["dry_run"]:
                ids = list(found.values_list("pk", flat=True)[: selectors.MAX_ITEMS])
                amounts = selectors.amounts_as_of(ids, local_today())
                for loan in found[: selectors.MAX_ITEMS]:
                    a = amounts[loan.pk]
                    self.stdout.write(f"{loan.external_id}  DPD {a.dpd}  {format_yuan(a.total)}")
                total = sum(a.total for a in amounts.values())
                self.stdout.write(f"{found.count()} loans, {format_yuan(total)} (dry run)")
                return
            proposal = services.writeoff_propose_by_filter(
                actor=user, reason_code=code, reason=o["reason"], county=o["county"], source="cli"
            )
        else:
            proposal = services.writeoff_propose(
                actor=user,
                loan_ids=[x for x in o["loans"].split(",") if x.strip()],
                reason_code=code,
                reason=o["reason"],
                source="cli",
            )
        self.stdout.write(
            f"{proposal.number} (id {proposal.pk}): {proposal.items.count()} loans,"
            f" {format_yuan(proposal.total_fen)}, awaiting approval"
        )

    def _decide(self, o, approve: bool):
        user = _user(o["user"])
        proposal = selectors.proposal_get(user=user, pk=o["id"])
        if proposal is None:
            raise CommandError(f"no proposal {o['id']}")
        proposal = services.writeoff_decide(
            proposal, actor=user, approve=approve, note=o["note"], source="cli"
        )
        self.stdout.write(f"{proposal.number}: {proposal.get_status_display()}")

    def _approve(self, o):
        self._decide(o, True)

    def _reject(self, o):
        self._decide(o, False)

    def _list(self, o):
        user = _user(o["user"])
        if not user.can("writeoff.read"):
            raise CommandError(f"{user.username} ({user.role}) may not read write-offs")
        for p in selectors.proposal_list(user=user, status=o["status"]):
            self.stdout.write(
                f"{p.number}  {p.status:<9}  {p.loans:>4} loans  {format_yuan(p.total_fen):>16}"
                f"  {p.reason_code}  by {p.proposed_by.username} on {p.as_of}"
            )
