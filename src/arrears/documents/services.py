"""Writes of the documents app: filing a document, reading one (an audited access), deleting one
(only past retention), and keeping the category list. Views, the API and other apps call these.

Every write runs in one transaction with its audit row. The bytes go to the content-addressed
store first (documents/storage.py): if the transaction then fails, the stored file is simply
not pointed at, which is harmless; the store never replaces a file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PureWindowsPath
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from arrears.core.audit import audit_record
from arrears.core.models import User
from arrears.documents.models import Document, DocumentCategory
from arrears.documents.storage import (
    ALL_TYPES,
    DocumentRefused,
    document_path,
    normalize_type,
    store_document,
)

NOTE_MAX = 500
FILENAME_MAX = 255
REASON_MIN = 10
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class DocumentRetained(DocumentRefused):
    """A deletion refused by the retention rule of the compliance pack (never overridable)."""

    def __init__(self, message: str, rule_ids: Iterable[str]):
        super().__init__("retention", message, field=None)
        self.rule_ids = list(rule_ids)


class DocumentMissing(Exception):
    """A document row whose file is not in the store (damage or a store moved without its
    files): reported, never answered with other content."""


def document_root() -> Path:
    return Path(settings.ARREARS_DOCUMENT_ROOT)


def clean_filename(filename: str) -> str:
    """The name to keep and offer on download: the last path component a browser sent
    (C:\\fakepath\\合同.pdf → 合同.pdf), without control characters, at most 255 characters
    with the extension kept."""
    name = PureWindowsPath(str(filename or "")).name  # splits on both / and \\
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(name) > FILENAME_MAX:
        suffix = Path(name).suffix[:16]
        name = name[: FILENAME_MAX - len(suffix)] + suffix
    return name


def _targets(borrower, loan, case):
    """Fill in what a case or loan implies, and refuse a filing that contradicts itself."""
    if case is not None:
        if loan is not None and loan.pk != case.loan_id:
            raise DocumentRefused("target_mismatch", "the loan is not the case's loan", "loan")
        loan = loan or case.loan
    if loan is not None:
        if borrower is not None and borrower.pk != loan.borrower_id:
            raise DocumentRefused(
                "target_mismatch", "the borrower is not the loan's borrower", "borrower"
            )
        borrower = borrower or loan.borrower
    if borrower is None:
        raise DocumentRefused(
            "no_target", "file the document on a case, a loan or a borrower", "case"
        )
    return borrower, loan, case


def document_file(
    *,
    fileobj: BinaryIO,
    filename: str,
    declared_type: str | None,
    category_code: str,
    actor: User | None,
    borrower=None,
    loan=None,
    case=None,
    note: str = "",
    source: str = "web",
    allow_retired: bool = False,
) -> Document:
    """Check and store an upload, then file it on a case, loan or borrower (audited).

    The category decides which types are accepted; the content decides the type. Raises
    DocumentRefused (code, field, message) for anything that cannot be filed. `allow_retired`
    is for documents Arrears makes itself (a notice's PDF) under a category a manager retired.
    """
    category = DocumentCategory.objects.filter(code=category_code or "").first()
    if category is None:
        raise DocumentRefused(
            "unknown_category", f"no document category {category_code!r}", "category"
        )
    if not category.active and not allow_retired:
        raise DocumentRefused(
            "category_retired",
            f"the category {category.code!r} is retired; choose another",
            "category",
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DocumentRefused("note_too_long", f"the note is over {NOTE_MAX} characters", "note")
    name = clean_filename(filename)
    if not name:
        raise DocumentRefused("no_filename", "the file has no name", "file")
    borrower, loan, case = _targets(borrower, loan, case)
    stored = store_document(
        fileobj=fileobj,
        filename=name,
        declared_type=declared_type,
        root=document_root(),
        max_bytes=int(settings.ARREARS_DOCUMENT_MAX_BYTES),
        allowed_types=[normalize_type(t) for t in category.allowed_types] or ALL_TYPES,
    )
    with transaction.atomic():
        document = Document.objects.create(
            sha256=stored.sha256,
            size=stored.size,
            content_type=stored.content_type,
            filename=name,
            category=category,
            borrower=borrower,
            loan=loan,
            case=case,
            note=note,
            uploaded_by=actor if actor is not None and actor.pk else None,
        )
        audit_record(
            actor=actor,
            event="document.file",
            object_type="document",
            object_id=document.pk,
            after={
                "sha256": stored.sha256,
                "size": stored.size,
                "content_type": stored.content_type,
                "filename": name,
                "category": category.code,
                "case": case.pk if case else None,
                "loan": loan.external_id if loan else None,
                "borrower": borrower.external_id,
                "stored_new": stored.created,
            },
            source=source,
        )
    return document


def document_open(
    *, document: Document, actor: User | None, source: str = "web", ip: str | None = None
) -> BinaryIO:
    """Open a document's file for download and record the access in the audit trail.

    Call it only with a document from `selectors.document_for_user`: the access is recorded
    because the reader could see it.
    """
    path = document_path(document_root(), document.sha256)
    try:
        handle = open(path, "rb")  # noqa: SIM115 — the response streams and closes it
    except FileNotFoundError as exc:
        raise DocumentMissing(
            f"the file of document {document.pk} is missing from the store"
        ) from exc
    try:
        audit_record(
            actor=actor,
            event="document.download",
            object_type="document",
            object_id=document.pk,
            after={"sha256": document.sha256, "filename": document.filename},
            source=source,
            ip=ip,
        )
    except BaseException:
        handle.close()
        raise
    return handle


def _pack_for(document: Document):
    from arrears.compliance.selectors import default_pack_code, pack_current, pack_for_product

    if document.loan_id is not None:
        return pack_for_product(document.loan.product)
    pack = pack_current(default_pack_code())
    if pack is None:
        raise LookupError(f"rule pack {default_pack_code()!r} does not exist")
    return pack


def document_delete(
    *,
    document: Document,
    actor: User,
    reason: str,
    now: dt.datetime | None = None,
    source: str = "web",
) -> None:
    """Delete a filing — only an administrator, and never while the compliance pack's retention
    period runs (5 years in the shipped packs, for every role). The stored file goes only when
    no other row points at it."""
    from arrears.compliance.rules import may_delete

    if not actor.can("document.delete") or actor.is_read_only:
        raise PermissionDenied(f"your role ({actor.role}) may not delete documents")
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DocumentRefused(
            "reason_required", f"give a reason of at least {REASON_MIN} characters", "reason"
        )
    decision = may_delete(
        "document", document.uploaded_at, now or timezone.now(), _pack_for(document)
    )
    if not decision.allowed:
        blocking = decision.blocking
        from arrears.compliance.messages import rule_message

        raise DocumentRetained(
            " ".join(rule_message(o) for o in blocking), [o.rule_id for o in blocking]
        )
    sha = document.sha256
    before = {
        "sha256": sha,
        "filename": document.filename,
        "category": document.category.code,
        "uploaded_at": document.uploaded_at,
    }
    pk = document.pk
    with transaction.atomic():
        try:
            document.delete()
        except ProtectedError as exc:
            raise DocumentRefused(
                "in_use", "the document is part of another record (a notice) and stays", None
            ) from exc
        audit_record(
            actor=actor,
            event="document.delete",
            object_type="document",
            object_id=pk,
            before=before,
            after={"reason": reason},
            source=source,
        )
        if not Document.objects.filter(sha256=sha).exists():
            transaction.on_commit(lambda: _unlink(sha))


def _unlink(sha: str) -> None:
    # Re-checked after commit: a filing of the same content may have arrived meanwhile.
    if Document.objects.filter(sha256=sha).exists():
        return
    path = document_path(document_root(), sha)
    path.unlink(missing_ok=True)


# --- categories -------------------------------------------------------------------------------


def _require_categories(actor: User | None) -> None:
    if actor is not None and (actor.is_read_only or not actor.can("document.categories")):
        raise PermissionDenied(f"your role ({actor.role}) may not edit document categories")


def _clean_types(allowed_types: Iterable[str]) -> list[str]:
    types = []
    for t in allowed_types:
        n = normalize_type(t)
        if n not in ALL_TYPES:
            raise DocumentRefused(
                "unknown_type",
                f"{t!r} is not a type Arrears can check; known: {', '.join(sorted(ALL_TYPES))}",
                "allowed_types",
            )
        if n not in types:
            types.append(n)
    return types


def _clean_names(name_zh: str, name_en: str) -> tuple[str, str]:
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh:
        raise DocumentRefused("name_required", "the Chinese name is required", "name_zh")
    if not name_en:
        raise DocumentRefused("name_required", "the English name is required", "name_en")
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if len(value) > 100:
            raise DocumentRefused("name_too_long", "at most 100 characters", field)
    return name_zh, name_en


@transaction.atomic
def category_create(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    allowed_types: Iterable[str],
    actor: User | None,
    sort_order: int | None = None,
    source: str = "web",
) -> DocumentCategory:
    """Add a document category (managers, admins)."""
    _require_categories(actor)
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise DocumentRefused(
            "bad_code",
            "the code is 2–40 lower-case letters, digits or _ and starts with a letter",
            "code",
        )
    if DocumentCategory.objects.filter(code=code).exists():
        raise DocumentRefused("duplicate_code", f"the category {code!r} exists already", "code")
    name_zh, name_en = _clean_names(name_zh, name_en)
    types = _clean_types(allowed_types)
    if sort_order is None:
        last = DocumentCategory.objects.order_by("-sort_order").values_list("sort_order", flat=True)
        sort_order = min((last.first() or 0) + 10, 32000)
    category = DocumentCategory.objects.create(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        allowed_types=types,
        sort_order=sort_order,
    )
    audit_record(
        actor=actor,
        event="document.category.create",
        object_type="document_category",
        object_id=code,
        after={"name_zh": name_zh, "name_en": name_en, "allowed_types": types},
        source=source,
    )
    return category


@transaction.atomic
def category_update(
    *,
    category: DocumentCategory,
    actor: User | None,
    name_zh: str | None = None,
    name_en: str | None = None,
    allowed_types: Iterable[str] | None = None,
    active: bool | None = None,
    sort_order: int | None = None,
    source: str = "web",
) -> DocumentCategory:
    """Rename, retype, reorder, retire (active=False) or bring back a category. Filed documents
    keep their category; a retired one is only no longer offered for new uploads. The code
    never changes: other records and integrations refer to it."""
    _require_categories(actor)
    category = DocumentCategory.objects.select_for_update().get(pk=category.pk)
    fields = ("name_zh", "name_en", "allowed_types", "active", "sort_order")
    before = {f: getattr(category, f) for f in fields}
    if name_zh is not None or name_en is not None:
        category.name_zh, category.name_en = _clean_names(
            category.name_zh if name_zh is None else name_zh,
            category.name_en if name_en is None else name_en,
        )
    if allowed_types is not None:
        category.allowed_types = _clean_types(allowed_types)
    if active is not None:
        category.active = bool(active)
    if sort_order is not None:
        if not 0 <= int(sort_order) <= 32000:
            raise DocumentRefused("bad_sort_order", "between 0 and 32000", "sort_order")
        category.sort_order = int(sort_order)
    after = {f: getattr(category, f) for f in fields}
    if after != before:
        category.save()
        event = "document.category.update"
        if before["active"] != after["active"]:
            event = (
                "document.category.retire" if not category.active else "document.category.restore"
            )
        audit_record(
            actor=actor,
            event=event,
            object_type="document_category",
            object_id=category.code,
            before=before,
            after=after,
            source=source,
        )
    return category
