"""Writes of the field app: a visit and all it leads to, the region tree, trips.

`visit_record` is the one way a visit is written — by the phone page (through the API), the
API and the visit-sheet import. In ONE transaction, or nothing:

- the activity on the case (channel `visit`) through activities.services.activity_log, so the
  rule pack judges it at act time like a call: contact hours at the time of the visit, the
  two-person rule and its recording reference (a refused visit is refused whole);
- the cash, as a payment whose ID is the receipt number, allocated exactly as the receipt
  splits it (book.services.payment_post with `split`; book.ledger) — a part larger than what
  is due on it that day is refused; a receipt already posted with the same loan, day and
  amount (the cashier's file came first) is the same money, linked, not counted twice;
- the notice served in person that day (notices.services.notice_serve, delivered the same
  day: the limitation registry sees the restart) and, when signed, notice_sign with the
  signature's proof (a photo of the receipt, else the visit record as a PDF);
- the repayment intention as a promise (promises.services.promise_record), the whereabouts
  (cases.services.whereabouts_record) and the photos (documents.services.document_file).

Idempotent by `visit_id` (the phone makes it): the same visit again returns the first and
writes nothing; the same ID with other details is refused (409).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from arrears.core.audit import audit_record
from arrears.core.dates import local_today, local_zone
from arrears.core.models import User
from arrears.field.errors import VisitInvalid
from arrears.field.models import NoticeSigned, Region, Trip, TripStop, Visit, VisitOutcome

WORK_CAPABILITY = "case.work"
NOTE_MAX = 5000
# A sheet that gives the day but not the time: the visit is taken as made at midday local
# time (the contact-hour rule can only judge a time somebody wrote down).
DEFAULT_TIME = dt.time(12, 0)
# Visit outcome → the activity's outcome (issue 15).
ACTIVITY_OUTCOME = {
    VisitOutcome.MET_BORROWER: "right_party_contact",
    VisitOutcome.MET_FAMILY: "third_party",
    VisitOutcome.NOT_HOME: "no_answer",
    VisitOutcome.NOT_FOUND: "other",
    VisitOutcome.MOVED_AWAY: "moved_away",
    VisitOutcome.REFUSED: "refusal",
}
# Chinese names of the outcomes, accepted wherever an outcome is read (the sheet, the API).
OUTCOME_WORDS = {
    "见到本人": VisitOutcome.MET_BORROWER,
    "见到家属": VisitOutcome.MET_FAMILY,
    "不在家": VisitOutcome.NOT_HOME,
    "未找到": VisitOutcome.NOT_FOUND,
    "已外出": VisitOutcome.MOVED_AWAY,
    "拒绝": VisitOutcome.REFUSED,
}


def outcome_of(value: str) -> str:
    """An outcome code from its code or its Chinese name; VisitInvalid otherwise."""
    text = (value or "").strip()
    if text in VisitOutcome.values:
        return text
    if text in OUTCOME_WORDS:
        return str(OUTCOME_WORDS[text])
    allowed = ", ".join(f"{v} {k}" for k, v in OUTCOME_WORDS.items())
    raise VisitInvalid("outcome", f"unknown outcome {text!r} (one of {allowed})")


@dataclass(frozen=True)
class Photo:
    """A photo taken on the visit, filed as the case's visit_photo document."""

    fileobj: object
    filename: str
    declared_type: str | None = None


def case_for_loan(loan, today: dt.date | None = None):
    """The case a visit on this loan goes on: its open case, else the latest closed one that
    still takes entries (activities.services.case_takes_entries)."""
    from arrears.activities.services import case_takes_entries
    from arrears.cases.models import Case

    cases = list(Case.objects.filter(loan=loan).order_by("-opened_on", "-id"))
    for case in cases:
        if case.status == "open":
            return case
    for case in cases:
        if case_takes_entries(case, today):
            return case
    return None


def _visited_at(visited_on: dt.date, visited_at: dt.datetime | dt.time | None) -> dt.datetime:
    if visited_at is None:
        return dt.datetime.combine(visited_on, DEFAULT_TIME, tzinfo=local_zone())
    if isinstance(visited_at, dt.time):
        return dt.datetime.combine(visited_on, visited_at, tzinfo=local_zone())
    if visited_at.tzinfo is None:
        visited_at = visited_at.replace(tzinfo=local_zone())
    if visited_at.astimezone(local_zone()).date() != visited_on:
        raise VisitInvalid("visited_at", f"the time is not on the day of the visit ({visited_on})")
    return visited_at


def _same(existing: Visit, *, loan, visited_on, outcome, cash) -> bool:
    return (
        existing.loan_id == loan.pk
        and existing.visited_on == visited_on
        and existing.outcome == outcome
        and (existing.cash_principal_fen, existing.cash_interest_fen, existing.cash_penalty_fen)
        == cash
    )


def due_parts(loan, day: dt.date) -> tuple[int, int, int]:
    """What is due on the loan that day, by part: (principal, interest, penalty) fen, before
    any payment of that day is taken into account twice (the ledger as of `day`)."""
    from arrears.book.selectors import loan_position

    pos = loan_position(loan, as_of=day)
    due = pos.result.due_as_of(day)
    principal = sum(max(i.principal_left, 0) for i in due)
    interest = sum(max(i.interest_left, 0) for i in due)
    penalty = sum(max(i.penalty_left, 0) for i in pos.result.installments)
    return principal, interest, penalty


def _notice_for(loan, notice_number: str | None, notice_served: bool):
    from arrears.notices.models import Notice

    if notice_number:
        notice = Notice.objects.filter(number=notice_number.strip()).first()
        if notice is None or notice.loan_id != loan.pk:
            raise VisitInvalid(
                "notice_served", f"no notice {notice_number} was issued on loan {loan.external_id}"
            )
        return notice
    if not notice_served:
        return None
    notice = (
        Notice.objects.filter(loan=loan, served_on__isnull=True)
        .order_by("-issued_on", "-id")
        .first()
    )
    if notice is None:
        raise VisitInvalid(
            "notice_served",
            f"loan {loan.external_id} has no issued notice waiting to be served: issue one first",
        )
    return notice


def _visit_record_pdf(visit_id, loan, visited_on, names: list[str], recording_ref: str) -> bytes:
    """The visit's own record of a signature, filed as the receipt when no photo was taken."""
    from arrears.core.pdf import render_letter

    return render_letter(
        title="外访签收记录",
        paragraphs=[
            f"外访编号：{visit_id}",
            f"贷款编号：{loan.external_id}",
            f"借款人：{loan.borrower.name}",
            f"日期：{visited_on.isoformat()}",
            f"外访人员：{'、'.join(names)}",
            f"录音录像编号：{recording_ref or '无'}",
            "借款人当面签收催款通知书，签收原件由外访人员带回存档。",
        ],
        footer="Arrears · 外访",
    )


def visit_record(
    *,
    visit_id: str,
    loan,
    visited_on: dt.date,
    collector: User,
    outcome: str,
    participants: Sequence[User] = (),
    visited_at: dt.datetime | dt.time | None = None,
    recording_ref: str = "",
    address_found: bool | None = None,
    person_met: str = "",
    notice_number: str | None = None,
    notice_served: bool = False,
    notice_signed: str = "",
    cash_principal_fen: int = 0,
    cash_interest_fen: int = 0,
    cash_penalty_fen: int = 0,
    receipt_no: str = "",
    intention_amount_fen: int | None = None,
    intention_date: dt.date | None = None,
    whereabouts: str = "",
    needs_officials: bool = False,
    note: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    photos: Sequence[Photo] = (),
    trip: Trip | None = None,
    actor: User | None = None,
    source: str = "web",
    override_reason: str = "",
) -> tuple[Visit, bool]:
    """Record one visit and everything it leads to (module docstring). Returns (visit,
    created). Raises VisitInvalid (field, message, status) and nothing is written."""
    from arrears.activities.errors import ActivityForbidden, ActivityInvalid, ContactRefused
    from arrears.activities.services import activity_log
    from arrears.book.errors import BookError
    from arrears.book.models import Payment
    from arrears.book.services import payment_post
    from arrears.cases.errors import CaseError
    from arrears.cases.services import whereabouts_record
    from arrears.documents.services import document_file
    from arrears.documents.storage import DocumentRefused
    from arrears.notices.errors import NoticeInvalid
    from arrears.notices.services import notice_serve, notice_sign
    from arrears.promises.errors import PromiseError
    from arrears.promises.services import promise_record

    visit_id = (visit_id or "").strip()
    if not visit_id or len(visit_id) > 64:
        raise VisitInvalid("visit_id", "a visit ID of 1 to 64 characters is required")
    if collector is None or collector.is_read_only or not collector.can(WORK_CAPABILITY):
        role = getattr(collector, "role", "none")
        raise VisitInvalid(
            "collector", f"the collector's role ({role}) may not record visits", status=403
        )
    outcome = outcome_of(outcome)
    cash = (int(cash_principal_fen or 0), int(cash_interest_fen or 0), int(cash_penalty_fen or 0))
    existing = Visit.objects.filter(visit_id=visit_id).first()
    if existing is not None:
        if _same(existing, loan=loan, visited_on=visited_on, outcome=outcome, cash=cash):
            return existing, False
        raise VisitInvalid(
            "visit_id",
            f"visit {visit_id} was already recorded with other details "
            f"({existing.loan.external_id}, {existing.visited_on}, {existing.outcome})",
            code="conflict",
            status=409,
        )
    today = local_today()
    if visited_on > today:
        raise VisitInvalid("visited_on", f"the visit date {visited_on} is in the future")
    if visited_on < loan.disbursed_on:
        raise VisitInvalid(
            "visited_on",
            f"the visit date {visited_on} is before the loan was disbursed ({loan.disbursed_on})",
        )
    when = _visited_at(visited_on, visited_at)
    if any(part < 0 for part in cash):
        raise VisitInvalid("cash_principal", "cash amounts cannot be negative")
    total = sum(cash)
    receipt_no = (receipt_no or "").strip()
    if total > 0 and not receipt_no:
        raise VisitInvalid("receipt_no", "cash collected needs the receipt number")
    if total == 0 and receipt_no:
        raise VisitInvalid("receipt_no", "a receipt number without cash: give the amounts")
    if notice_signed not in ("", *NoticeSigned.values):
        raise VisitInvalid("notice_signed", "signed, refused or blank")
    if (intention_amount_fen is None) != (intention_date is None):
        raise VisitInvalid("intention_date", "a repayment intention needs an amount and a date")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise VisitInvalid("note", f"the note is over {NOTE_MAX} characters")
    if latitude is not None and not -90 <= latitude <= 90:
        raise VisitInvalid("latitude", "a latitude is between -90 and 90")
    if longitude is not None and not -180 <= longitude <= 180:
        raise VisitInvalid("longitude", "a longitude is between -180 and 180")
    people = [collector, *[p for p in participants if p.pk != collector.pk]]
    people = list({p.pk: p for p in people}.values())
    for person in people:
        if person.is_read_only or not person.is_active:
            raise VisitInvalid("participants", f"{person.username} may not take part in visits")
    case = case_for_loan(loan, today)
    if case is None:
        raise VisitInvalid("loan_id", f"loan {loan.external_id} has no open case to visit")
    notice = _notice_for(loan, notice_number, notice_served)
    if notice_signed and notice is None:
        raise VisitInvalid("notice_signed", "a signature needs the notice served on the visit")
    actor = actor or collector

    with transaction.atomic():
        if total > 0:
            known = Payment.objects.filter(external_id=receipt_no).first()
            if known is None:
                due = due_parts(loan, visited_on)
                for name, part, owed in zip(
                    ("principal", "interest", "penalty"), cash, due, strict=True
                ):
                    if part > owed:
                        raise VisitInvalid(
                            f"cash_{name}",
                            f"the receipt's {name} ({_yuan(part)}) is more than the {name} due "
                            f"on {visited_on} ({_yuan(owed)})",
                        )
        documents = []
        try:
            for photo in photos:
                documents.append(
                    document_file(
                        fileobj=photo.fileobj,
                        filename=photo.filename,
                        declared_type=photo.declared_type,
                        category_code="visit_photo",
                        actor=collector,
                        case=case,
                        note=f"外访 {visit_id}",
                        source=source,
                    )
                )
        except DocumentRefused as exc:
            raise VisitInvalid("photos", exc.message) from exc
        try:
            activity = activity_log(
                case=case,
                channel="visit",
                outcome=ACTIVITY_OUTCOME[outcome],
                occurred_at=when,
                actor=collector,
                source=source if source in ("web", "api", "import", "cli") else "system",
                participants=len(people),
                recording_ref=recording_ref or "",
                note=note,
                import_key=f"visit:{visit_id}",
                documents=documents,
                override_reason=override_reason,
            )
        except ContactRefused as exc:
            reasons = "; ".join(f"{o.rule_id}: {o.message_en}" for o in exc.blocking)
            field = next((exc.field_for(o) for o in exc.blocking if exc.field_for(o)), None)
            raise VisitInvalid(
                "visited_at" if field else "participants",
                f"refused by the rule pack: {reasons}",
                code="compliance_refused",
            ) from exc
        except ActivityInvalid as exc:
            raise VisitInvalid(exc.field or "visit_id", exc.message) from exc
        except ActivityForbidden as exc:
            raise VisitInvalid("collector", exc.message, status=403) from exc

        payment = None
        if total > 0:
            try:
                payment, _created = payment_post(
                    loan=loan,
                    external_id=receipt_no,
                    paid_on=visited_on,
                    amount_fen=total,
                    channel=Payment.Channel.CASH,
                    actor=collector,
                    source=source,
                    split=cash,
                )
            except BookError as exc:
                raise VisitInvalid("receipt_no", exc.message, code=exc.code) from exc

        try:
            if notice is not None:
                notice = notice_serve(
                    notice=notice,
                    method="in_person",
                    served_on=visited_on,
                    actor=collector,
                    served_by=collector,
                    source=source,
                )
                if notice_signed == NoticeSigned.SIGNED:
                    # The proof of the signature is the visit's own record (who, when, the
                    # recording reference); the photos stay filed as the visit's photos.
                    receipt = io.BytesIO(
                        _visit_record_pdf(
                            visit_id, loan, visited_on, [p.username for p in people], recording_ref
                        )
                    )
                    notice_sign(
                        notice=notice,
                        signed_on=visited_on,
                        receipt=receipt,
                        receipt_filename=f"visit-{visit_id}.pdf",
                        receipt_type="application/pdf",
                        actor=collector,
                        source=source,
                    )
        except NoticeInvalid as exc:
            field = "notice_signed" if "sign" in (exc.field or "") else "notice_served"
            raise VisitInvalid(field, f"{notice.number}: {exc.message}", code=exc.code) from exc
        except PermissionDenied as exc:
            raise VisitInvalid("collector", str(exc), status=403) from exc

        promise = None
        if intention_amount_fen is not None:
            try:
                promise = promise_record(
                    case=case,
                    amount_fen=int(intention_amount_fen),
                    promised_on=intention_date,
                    actor=collector,
                    source=source if source in ("web", "api", "import", "cli") else "system",
                    activity=activity,
                    created_on=visited_on,
                )
            except PromiseError as exc:
                field = (
                    "intention_date"
                    if exc.field in ("promised_on", "created_on")
                    else ("intention_amount")
                )
                raise VisitInvalid(field, exc.message) from exc

        whereabouts = (whereabouts or "").strip()
        if whereabouts or outcome == VisitOutcome.MOVED_AWAY:
            try:
                whereabouts_record(
                    case=case,
                    status="moved_away",
                    detail=whereabouts or "外访：已外出",
                    recorded_on=visited_on,
                    actor=collector,
                    source=source,
                )
            except CaseError as exc:
                raise VisitInvalid("whereabouts", exc.message) from exc

        visit = Visit.objects.create(
            visit_id=visit_id,
            case=case,
            loan=loan,
            borrower_id=loan.borrower_id,
            trip=trip,
            visited_on=visited_on,
            visited_at=when,
            collector=collector,
            recording_ref=recording_ref or "",
            address_found=address_found,
            person_met=(person_met or "").strip()[:100],
            outcome=outcome,
            notice=notice,
            notice_signed=notice_signed if notice is not None else "",
            cash_principal_fen=cash[0],
            cash_interest_fen=cash[1],
            cash_penalty_fen=cash[2],
            receipt_no=receipt_no,
            payment=payment,
            intention_amount_fen=intention_amount_fen,
            intention_date=intention_date,
            promise=promise,
            whereabouts=whereabouts,
            needs_officials=bool(needs_officials),
            note=note,
            latitude=latitude,
            longitude=longitude,
            activity=activity,
            source=source,
            created_by=actor if actor is not None and actor.pk else None,
        )
        visit.participants.set(people)
        if documents:
            visit.documents.add(*documents)
        audit_record(
            actor=actor,
            event="visit.record",
            object_type="visit",
            object_id=visit_id,
            after={
                "loan": loan.external_id,
                "visited_on": visited_on,
                "outcome": outcome,
                "participants": [p.username for p in people],
                "cash_fen": list(cash),
                "receipt_no": receipt_no,
                "notice": notice.number if notice is not None else None,
                "notice_signed": notice_signed,
                "intention_fen": intention_amount_fen,
                "needs_officials": bool(needs_officials),
            },
            source=source,
        )
    return visit, True


def visit_photo_add(
    *,
    visit: Visit,
    fileobj,
    filename: str,
    declared_type: str | None,
    actor: User,
    source: str = "api",
) -> tuple[object, bool]:
    """File a photo taken on the visit (category visit_photo, on its case) and link it.
    Returns (document, created): the same picture sent again (its answer was lost on the way
    back to the phone) is recognised by its content and filed once."""
    import hashlib

    from arrears.documents.services import document_file
    from arrears.documents.storage import DocumentRefused

    if actor is None or actor.is_read_only or not actor.can("document.file"):
        raise VisitInvalid("file", "your role may not file photos", status=403)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1 << 16), b""):
        digest.update(chunk)
    fileobj.seek(0)
    same = visit.documents.filter(sha256=digest.hexdigest()).first()
    if same is not None:
        return same, False
    with transaction.atomic():
        try:
            document = document_file(
                fileobj=fileobj,
                filename=filename,
                declared_type=declared_type,
                category_code="visit_photo",
                actor=actor,
                case=visit.case,
                note=f"外访 {visit.visit_id}",
                source=source,
            )
        except DocumentRefused as exc:
            raise VisitInvalid("file", exc.message, code=exc.code) from exc
        visit.documents.add(document)
        if visit.activity_id:
            visit.activity.documents.add(document)
    return document, True


def _yuan(fen: int) -> str:
    from arrears.core.money import format_yuan

    return format_yuan(fen)


# ------------------------------------------------------------------------------ regions


LEVELS = (Region.Level.PROVINCE, Region.Level.COUNTY, Region.Level.TOWN, Region.Level.VILLAGE)


def regions_rebuild(*, actor: User | None = None, source: str = "system") -> int:
    """Build the region tree from the borrowers' region paths (set-based: one distinct query,
    bulk inserts level by level). Regions already there keep their population, coordinates
    and notes; none is deleted. Returns how many were added."""
    from arrears.book.models import Borrower

    rows = (
        Borrower.objects.exclude(province="")
        .values_list("province", "county", "town", "village")
        .distinct()
    )
    wanted: dict[str, tuple[str, str, str | None]] = {}
    for row in rows:
        parts = [p for p in row if p]
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            parent = "/".join(parts[: depth - 1]) or None
            wanted.setdefault(path, (parts[depth - 1], LEVELS[min(depth, 4) - 1], parent))
    added = 0
    with transaction.atomic():
        known = dict(Region.objects.values_list("path", "id"))
        for depth in range(1, 5):
            new = [
                Region(path=path, name=name, level=level, parent_id=known.get(parent))
                for path, (name, level, parent) in wanted.items()
                if path.count("/") == depth - 1 and path not in known
            ]
            Region.objects.bulk_create(new, batch_size=1000)
            if new:
                known.update(
                    Region.objects.filter(path__in=[r.path for r in new]).values_list("path", "id")
                )
            added += len(new)
        if added:
            audit_record(
                actor=actor,
                event="region.rebuild",
                object_type="region",
                object_id="tree",
                after={"added": added},
                source=source,
            )
    return added


def region_update(
    *,
    region: Region,
    actor: User | None,
    population: int | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    note: str = "",
    source: str = "web",
) -> Region:
    """Set what people know of a region: population, coordinates, a note (audited)."""
    if actor is not None and (actor.is_read_only or not actor.can(WORK_CAPABILITY)):
        raise VisitInvalid("region", "your role may not edit regions", status=403)
    if population is not None and population < 0:
        raise VisitInvalid("population", "the population cannot be negative")
    if latitude is not None and not -90 <= latitude <= 90:
        raise VisitInvalid("latitude", "a latitude is between -90 and 90")
    if longitude is not None and not -180 <= longitude <= 180:
        raise VisitInvalid("longitude", "a longitude is between -180 and 180")
    note = (note or "").strip()
    if len(note) > 500:
        raise VisitInvalid("note", "the note is over 500 characters")
    with transaction.atomic():
        before = {
            "population": region.population,
            "latitude": region.latitude,
            "longitude": region.longitude,
            "note": region.note,
        }
        region.population, region.latitude, region.longitude, region.note = (
            population,
            latitude,
            longitude,
            note,
        )
        region.save(update_fields=["population", "latitude", "longitude", "note"])
        audit_record(
            actor=actor,
            event="region.update",
            object_type="region",
            object_id=region.path,
            before=before,
            after={
                "population": population,
                "latitude": latitude,
                "longitude": longitude,
                "note": note,
            },
            source=source,
        )
    return region


# ------------------------------------------------------------------------------ trips


def _route(stops: list[tuple[object, str, Decimal | None, Decimal | None]]) -> list:
    """Order (case, village path, lat, lon): grouped by village; villages by nearest neighbour
    from the first one where coordinates exist, the rest after them by name."""
    by_village: dict[str, list] = {}
    coords: dict[str, tuple[float, float] | None] = {}
    for case, village, lat, lon in stops:
        by_village.setdefault(village, []).append(case)
        coords[village] = (float(lat), float(lon)) if lat is not None and lon is not None else None
    located = sorted(v for v in by_village if coords[v] is not None)
    order: list[str] = []
    if located:
        current = located.pop(0)
        order.append(current)
        while located:
            cx, cy = coords[current]
            # Distances only rank villages here, so a float is fine (no money in it).
            located.sort(key=lambda v: ((coords[v][0] - cx) ** 2 + (coords[v][1] - cy) ** 2, v))
            current = located.pop(0)
            order.append(current)
    order += sorted(v for v in by_village if coords[v] is None)
    return [(village, case) for village in order for case in by_village[village]]


def trip_create(
    *,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    members: Sequence[User],
    regions: Sequence[Region] = (),
    cases: Sequence = (),
    from_assists: bool = True,
    actor: User | None,
    source: str = "web",
) -> Trip:
    """Plan a trip: its team (two or more where the rule pack asks for two-person visits),
    dates, target regions and the visit list — the cases picked by hand plus, with
    `from_assists`, the regions' open cases handed to the team (a member is their field
    agent) and those with an assist request open during the trip —
    grouped by village and ordered to shorten the way where villages have coordinates."""
    from arrears.cases.models import Case, CaseAssist

    if actor is not None and (actor.is_read_only or not actor.can(WORK_CAPABILITY)):
        raise VisitInvalid("trip", "your role may not plan trips", status=403)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise VisitInvalid("name", "a trip needs a name of up to 200 characters")
    if ends_on < starts_on:
        raise VisitInvalid("ends_on", "the trip ends before it starts")
    members = list({m.pk: m for m in members}.values())
    if not members:
        raise VisitInvalid("members", "a trip needs its team")
    picked = {c.pk: (c, TripStop.Source.HAND) for c in cases}
    if regions and from_assists:
        from django.db.models import Q

        region_q = Q(pk__in=[])
        for r in regions:
            q = Q()
            for field, value in zip(
                ("province", "county", "town", "village"), r.path.split("/"), strict=False
            ):
                q &= Q(**{f"borrower__{field}": value})
            region_q |= q
        in_region = Case.objects.filter(region_q, status="open")
        # Cases handed to the field team (a member is the case's field agent) …
        for case in in_region.filter(field_agent__in=members):
            picked.setdefault(case.pk, (case, TripStop.Source.HANDOVER))
        # … and those with an assist request (协催) open during the trip.
        assisted = in_region.filter(
            pk__in=CaseAssist.objects.filter(
                status__in=("requested", "active"), until__gte=starts_on
            ).values("case_id"),
        )
        for case in assisted:
            picked.setdefault(case.pk, (case, TripStop.Source.ASSIST))
    need = _min_participants(c for c, _s in picked.values())
    if len(members) < need:
        raise VisitInvalid(
            "members", f"the rule pack asks for visits by at least {need} people", code="two_person"
        )
    case_ids = list(picked)
    cases_q = Case.objects.filter(pk__in=case_ids).select_related("borrower")
    villages = {c.pk: c.borrower.region_path for c in cases_q}
    coords = {
        r.path: (r.latitude, r.longitude)
        for r in Region.objects.filter(path__in=set(villages.values()))
    }
    route = _route(
        [(cid, villages[cid], *coords.get(villages[cid], (None, None))) for cid in case_ids]
    )
    with transaction.atomic():
        trip = Trip.objects.create(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor if actor is not None and actor.pk else None,
        )
        trip.members.set(members)
        trip.regions.set(regions)
        TripStop.objects.bulk_create(
            [
                TripStop(
                    trip=trip,
                    case_id=cid,
                    village_path=village,
                    order=i,
                    source=picked[cid][1],
                )
                for i, (village, cid) in enumerate(route, start=1)
            ]
        )
        audit_record(
            actor=actor,
            event="trip.create",
            object_type="trip",
            object_id=trip.pk,
            after={
                "name": name,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "members": [m.username for m in members],
                "cases": len(route),
            },
            source=source,
        )
    return trip


def _min_participants(cases) -> int:
    """The most people any of these cases' rule packs asks for on a visit (1 without a rule)."""
    from arrears.activities.facts import pack_for_case
    from arrears.compliance import rules

    need = 1
    seen: set = set()
    for case in cases:
        pack = pack_for_case(case)
        key = getattr(pack, "pk", id(pack))
        if key in seen:
            continue
        seen.add(key)
        if pack is None:
            continue
        for rule in rules._as_spec(pack).rules:
            if rule.kind == "visit" and rule.mode == rules.BLOCK:
                need = max(need, int(rule.parameters.get("min_participants", 2)))
    return need


def visit_now() -> dt.datetime:
    return timezone.now()
