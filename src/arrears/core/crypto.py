"""Field-level encryption of personal numbers at rest, and blind indexes to search them.

PRC ID numbers and phone numbers are stored as AES-256-GCM ciphertext
(`EncryptedCharField`), never as plain text. A stored value reads

    enc1:<key id>:<base64url(12-byte nonce + ciphertext + tag)>

where the key id (8 hex digits, a fingerprint of the key) names the key that sealed it, so
that several keys can be in use while `arrears keys rotate` moves rows to the current one.
A blank value stays blank: "no phone" is not a secret, and blank checks keep working.

Keys come from the environment (docs/personal-data.md):

* ARREARS_FIELD_KEYS — comma-separated base64 32-byte keys; the first seals new values, the
  others only open old ones (during a rotation).
* ARREARS_INDEX_KEY — a separate base64 key for the HMAC-SHA256 blind indexes.

Without them (and not in production) a fixed development key is derived, so a laptop and the
tests work out of the box; ARREARS_PRODUCTION=1 refuses to start without real keys.

Ciphertext cannot be compared in SQL (each sealing uses a fresh nonce), so searching uses a
*blind index*: `BlindIndexField(source="phone")` holds HMAC-SHA256(index key, normalised
number), kept in step with its source on every ORM write (see `_BlindIndexAttribute`) and by
`seal_rows` for the plain-row bulk writers. Lookups other than `isnull` and `= ""` on an
encrypted field raise, so a forgotten `phone__endswith` fails loudly instead of finding nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.db.models.query_utils import DeferredAttribute

PREFIX = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
# Fixed, public development keys: data sealed with them is as good as plain text. Production
# refuses to run on them (ARREARS_PRODUCTION=1 requires ARREARS_FIELD_KEYS and _INDEX_KEY).
_DEV_FIELD_KEY = hashlib.sha256(b"arrears development field key - not for production").digest()
_DEV_INDEX_KEY = hashlib.sha256(b"arrears development index key - not for production").digest()

KINDS = ("phone", "id_number")


class FieldKeyError(ImproperlyConfigured):
    """The keys in the environment are missing, malformed, or do not open a stored value."""


# ------------------------------------------------------------------------------ keys


def key_id(key: bytes) -> str:
    """The 8-hex-digit fingerprint stored with every value a key seals."""
    return hashlib.sha256(b"arrears-field-key-id\0" + key).hexdigest()[:8]


def decode_key(text: str, name: str) -> bytes:
    """A base64 (standard or URL-safe, padding optional) 32-byte key."""
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(
            text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
        )
    except (ValueError, TypeError) as exc:
        raise FieldKeyError(
            f"{name}: a key is not valid base64 (a key is {KEY_BYTES} random bytes in "
            "base64: `arrears keys generate`)"
        ) from exc
    if len(raw) != KEY_BYTES:
        raise FieldKeyError(
            f"{name}: a key is {KEY_BYTES} random bytes in base64 "
            f"(`arrears keys generate`); got {len(raw)} bytes"
        )
    return raw


def generate_key() -> str:
    """A new random key, URL-safe base64 (44 characters)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


@dataclass(frozen=True)
class Keyring:
    """The sealing key (first), every key that may open a value, and the index key."""

    current_id: str
    keys: dict[str, bytes]
    index_key: bytes
    development: bool
    index_development: bool = False

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


@lru_cache(maxsize=8)
def _keyring(field_keys: str, index_key: str, production: bool) -> Keyring:
    texts = [t for t in (p.strip() for p in field_keys.split(",")) if t]
    if production and not texts:
        raise FieldKeyError("ARREARS_FIELD_KEYS must be set when ARREARS_PRODUCTION=1")
    if production and not index_key.strip():
        raise FieldKeyError("ARREARS_INDEX_KEY must be set when ARREARS_PRODUCTION=1")
    development = not texts
    raw_keys = [decode_key(t, "ARREARS_FIELD_KEYS") for t in texts] or [_DEV_FIELD_KEY]
    keys: dict[str, bytes] = {}
    for raw in raw_keys:
        kid = key_id(raw)
        if kid in keys:
            raise FieldKeyError(f"ARREARS_FIELD_KEYS lists the key {kid} twice")
        keys[kid] = raw
    index = decode_key(index_key, "ARREARS_INDEX_KEY") if index_key.strip() else _DEV_INDEX_KEY
    if index in raw_keys:
        raise FieldKeyError("ARREARS_INDEX_KEY must differ from every ARREARS_FIELD_KEYS key")
    return Keyring(key_id(raw_keys[0]), keys, index, development, not index_key.strip())


def keyring() -> Keyring:
    """The keys in force (settings ARREARS_FIELD_KEYS / ARREARS_INDEX_KEY, from the environment)."""
    return _keyring(
        getattr(settings, "ARREARS_FIELD_KEYS", "") or "",
        getattr(settings, "ARREARS_INDEX_KEY", "") or "",
        bool(getattr(settings, "PRODUCTION", False)),
    )


@lru_cache(maxsize=16)
def _aead(key: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


# ------------------------------------------------------------------------------ sealing


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX + ":")


def sealed_key_id(value: str) -> str | None:
    """The key id a stored value was sealed with (None for blank or plain text)."""
    if not is_sealed(value):
        return None
    return value.split(":", 2)[1]


def sealed_prefix(kid: str) -> str:
    """What every value sealed with key `kid` starts with (for SQL LIKE)."""
    return f"{PREFIX}:{kid}:"


def encrypt(plain: str, ring: Keyring | None = None) -> str:
    """Seal a value with the current key; blank stays blank."""
    if plain is None or plain == "":
        return plain
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    body = _aead(ring.current).encrypt(nonce, str(plain).encode(), None)
    token = base64.urlsafe_b64encode(nonce + body).rstrip(b"=").decode()
    return f"{PREFIX}:{ring.current_id}:{token}"


def decrypt(stored: str, ring: Keyring | None = None) -> str:
    """Open a stored value. Blank stays blank; a value that is not sealed (a row written
    before encryption, not yet migrated) is returned as it is."""
    if not is_sealed(stored):
        return stored
    ring = ring or keyring()
    try:
        _, kid, token = stored.split(":", 2)
    except ValueError as exc:
        raise FieldKeyError("a stored value is damaged: no key id") from exc
    key = ring.keys.get(kid)
    if key is None:
        raise FieldKeyError(
            f"a stored value was sealed with key {kid}, which is not in ARREARS_FIELD_KEYS "
            "(keep retired keys listed until `arrears keys rotate` has finished)"
        )
    from cryptography.exceptions import InvalidTag

    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    try:
        return _aead(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
    except InvalidTag as exc:
        raise FieldKeyError(f"a value sealed with key {kid} fails authentication") from exc


# ------------------------------------------------------------------------------ blind index


def index_text(kind: str, value: str) -> str:
    """The normalised form a number is indexed (and searched) by.

    Phones: the digits of the normalised number (+86 dropped, so '+86 138 0013 8000' and
    '13800138000' match; a landline's dash is not significant). ID numbers: upper case, no
    spaces.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    if kind == "phone":
        if len(text) == 11 and text.isdigit():
            return text  # a mainland mobile as stored: the common case, kept fast for bulk
        from arrears.core.ids import normalize_phone

        try:
            text = normalize_phone(text)
        except ValueError:
            pass
        return re.sub(r"\D", "", text)
    if kind == "id_number":
        return re.sub(r"\s", "", text).upper()
    raise ValueError(f"unknown kind of personal number: {kind}")


# Parts a number is indexed by: the whole number, or its last four digits (the tail the
# masked form shows anyway, which collectors search by).
PARTS = ("full", "tail4")


def blind_index(kind: str, value: str, part: str = "full", ring: Keyring | None = None) -> str:
    """HMAC-SHA256 of the normalised number (hex), or "" for a blank one."""
    return _part_digest(kind, part, index_text(kind, value), ring)


def _part_digest(kind: str, part: str, normalised: str, ring: Keyring | None = None) -> str:
    if part == "tail4":
        normalised = normalised[-4:] if len(normalised) >= 7 else ""
    elif part != "full":
        raise ValueError(f"unknown index part: {part}")
    return _digest(kind, part, normalised, ring)


def _digest(kind: str, part: str, text: str, ring: Keyring | None = None) -> str:
    if not text:
        return ""
    ring = ring or keyring()
    h = _hmac_base(ring.index_key).copy()  # the keyed state is prepared once per key
    h.update(f"{kind}:{part}:{text}".encode())
    return h.hexdigest()


@lru_cache(maxsize=4)
def _hmac_base(key: bytes):
    return hmac.new(key, digestmod=hashlib.sha256)


def search_digests(kind: str, query: str) -> dict[str, str]:
    """The digests a search text can match: {"full": …} for a whole number and {"tail4": …}
    for exactly four digits (a phone's tail). Empty when the text is neither."""
    query = (query or "").strip()
    found: dict[str, str] = {}
    if kind == "phone" and re.fullmatch(r"\d{4}", query):
        found["tail4"] = _digest("phone", "tail4", query)
        return found
    text = index_text(kind, query)
    if kind == "phone" and len(text) >= 7 or kind == "id_number" and len(text) >= 15:
        found["full"] = blind_index(kind, query)
    return found


# ------------------------------------------------------------------------------ fields


class _BlankOnlyExact(Exact):
    """`field=""` works (blank is stored blank); any other value cannot match ciphertext."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted: "
                "search its blind index (core.crypto.search_digests) instead"
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A short personal number stored encrypted (AES-256-GCM); reads give the plain text.

    `max_length` limits the plain text (forms, full_clean); the column is TEXT because the
    ciphertext is longer. `kind` ("phone" or "id_number") says how blind indexes of it are
    normalised.
    """

    description = "Text encrypted at rest"

    def __init__(self, *args, kind: str, **kwargs):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _BlankOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, lookup_name):
        return None


class _BlindIndexAttribute(DeferredAttribute):
    """Reads the digest computed from the source's current value whenever the source is
    loaded, so save(), bulk_create() and bulk_update() always write a digest that matches."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        field = self.field
        source = field.source_field
        if source.attname in instance.__dict__:
            return blind_index(source.kind, instance.__dict__[source.attname], field.part)
        return super().__get__(instance, cls)

    # A data descriptor (unlike DeferredAttribute), so reads come here even once the loaded
    # value sits in the instance's __dict__.
    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class BlindIndexField(models.CharField):
    """HMAC-SHA256 digest of another field's normalised number, for exact search.

    Not indexed by itself: declare the index in the model's Meta (a plain B-tree; the digest
    is compared for equality only).
    """

    descriptor_class = _BlindIndexAttribute
    description = "Blind index (HMAC digest) of an encrypted field"

    def __init__(self, *args, source: str, part: str = "full", **kwargs):
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}")
        self.source = source
        self.part = part
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.part != "full":
            kwargs["part"] = self.part
        for key, default in (
            ("max_length", 64),
            ("blank", True),
            ("default", ""),
            ("editable", False),
        ):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    @property
    def source_field(self) -> EncryptedCharField:
        return self.model._meta.get_field(self.source)

    def compute(self, plain: str, ring: Keyring | None = None) -> str:
        return blind_index(self.source_field.kind, plain, self.part, ring)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except Exception:
            source = None
        if not isinstance(source, EncryptedCharField):
            errors.append(
                checks.Error(
                    f"source {self.source!r} is not an EncryptedCharField of {self.model.__name__}",
                    obj=self,
                    id="arrears.E101",
                )
            )
        return errors


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def index_fields(model) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def with_index_fields(model, names: Iterable[str]) -> list[str]:
    """`names` plus the blind indexes of any encrypted field among them: the field list to
    give bulk_update() (or save(update_fields=…)) so that digests move with their numbers."""
    names = list(names)
    wanted = {model._meta.get_field(n).name for n in names}
    return names + [
        f.name for f in index_fields(model) if f.source in wanted and f.name not in wanted
    ]


def seal_rows(model, fields: Sequence[str], rows):
    """For the plain-row bulk writers (COPY / executemany): encrypt the encrypted fields
    among `fields` and append the blind indexes of their sources.

    Returns (fields, rows): a list when `rows` is a list, otherwise a generator.
    """
    meta = model._meta
    given = [meta.get_field(f) for f in fields]
    enc = [i for i, f in enumerate(given) if isinstance(f, EncryptedCharField)]
    if not enc:
        return fields, rows
    position = {given[i].name: i for i in enc}
    extra = [f for f in index_fields(model) if f.source in position and f not in given]
    ring = keyring()
    plan = [(position[f.source], f.source_field.kind, f.part) for f in extra]

    kinds = {i: given[i].kind for i in enc}

    def seal(row):
        row = list(row)
        normalised = {}
        for i in enc:
            plain = row[i] or ""
            normalised[i] = index_text(kinds[i], plain)  # once per value, for all its digests
            row[i] = encrypt(plain, ring)
        row.extend(_part_digest(kind, part, normalised[i], ring) for i, kind, part in plan)
        return tuple(row)

    names = (*fields, *(f.name for f in extra))
    if isinstance(rows, list):
        return names, [seal(r) for r in rows]
    return names, (seal(r) for r in rows)


# ------------------------------------------------------------------------------ checks


@checks.register(checks.Tags.security, deploy=True)
def check_field_keys(app_configs=None, **kwargs):
    """`arrears check --deploy`: the keys parse, and production does not use the dev keys."""
    try:
        ring = keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="arrears.E100")]
    if ring.development:
        return [
            checks.Warning(
                "ARREARS_FIELD_KEYS is not set: personal numbers are sealed with the public "
                "development key",
                hint="Set ARREARS_FIELD_KEYS and ARREARS_INDEX_KEY (docs/personal-data.md).",
                id="arrears.W100",
            )
        ]
    if ring.index_development:
        return [
            checks.Warning(
                "ARREARS_INDEX_KEY is not set: search digests use the public development key",
                hint="Set ARREARS_INDEX_KEY, then run `arrears keys reindex`.",
                id="arrears.W101",
            )
        ]
    return []
