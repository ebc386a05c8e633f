"""Pure rules of agency work: commission tiers, the tier a case falls in, commission to the
fen, sign-in address ranges and the yearly review. Plain values in, plain values out."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from arrears.core.money import decimal_fen

NUMERIC_KEYS = ("dpd", "amount")
REVIEW_MONTHS = 12


@dataclass(frozen=True)
class Tier:
    """A tier as plain values: [low, high) for DPD or fen, or one value (bucket, product)."""

    low: int | None = None
    high: int | None = None
    value: str = ""
    rate: Decimal = Decimal(0)

    def label(self) -> str:
        if self.value:
            return self.value
        if self.low is None and self.high is None:
            return "*"
        return f"[{self.low}, {'∞' if self.high is None else self.high})"


def check_tiers(key: str, tiers: Sequence[Tier], *, buckets: Iterable[str] = ()) -> list[str]:
    """What is wrong with a plan, each problem naming the tiers (empty: the plan is sound).

    DPD and amount tiers are half-open ranges [low, high): sorted by `low`, the first starts
    at 0, each starts where the one before ends and only the last is open-ended — so every
    value falls in exactly one tier. Bucket tiers name each bucket once and all of them;
    product tiers name each product once, a blank value being "every other product".
    """
    problems: list[str] = []
    if not tiers:
        return ["a plan needs at least one tier"]
    for t in tiers:
        if t.rate < 0 or t.rate > 1:
            problems.append(f"tier {t.label()}: the rate must be between 0 and 1")
    if key in NUMERIC_KEYS:

        def num(x: int | None) -> str:
            # Amount tiers are held in fen and named in yuan, as they are written.
            if x is None or key != "amount":
                return "∞" if x is None else str(x)
            from arrears.core.money import format_yuan

            return format_yuan(x)

        def lab(t: Tier) -> str:
            return f"[{num(t.low)}, {num(t.high)})"

        for t in tiers:
            if t.value:
                problems.append(f"tier {lab(t)}: a {key} tier has a range, not a value")
            if t.low is None:
                problems.append(f"tier {lab(t)}: give where the tier starts")
            elif t.low < 0:
                problems.append(f"tier {lab(t)}: a tier cannot start below 0")
            if t.low is not None and t.high is not None and t.high <= t.low:
                problems.append(f"tier {lab(t)}: the end must be above the start")
        if problems:
            return problems
        ordered = sorted(tiers, key=lambda t: (t.low, t.high is None, t.high or 0))
        if ordered[0].low != 0:
            problems.append(f"gap before tier {lab(ordered[0])}: the first tier starts at 0")
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.high is None or before.high > after.low:
                problems.append(f"tiers {lab(before)} and {lab(after)} overlap")
            elif before.high < after.low:
                problems.append(
                    f"gap between tiers {lab(before)} and {lab(after)}"
                    f" ({num(before.high)} to {num(after.low)})"
                )
        if ordered[-1].high is not None:
            problems.append(f"gap after tier {lab(ordered[-1])}: the last tier has no upper end")
        return problems
    seen: dict[str, int] = {}
    for t in tiers:
        if t.low is not None or t.high is not None:
            problems.append(f"tier {t.label()}: a {key} tier names a value, not a range")
        seen[t.value] = seen.get(t.value, 0) + 1
    for value, n in seen.items():
        if n > 1:
            problems.append(f"tier {value or '*'} is given {n} times (tiers overlap)")
    if key == "bucket":
        if "" in seen:
            problems.append("a bucket tier names its bucket")
        wanted = list(buckets)
        missing = [b for b in wanted if b not in seen]
        unknown = [v for v in seen if v and wanted and v not in wanted]
        if missing:
            problems.append(f"no tier for bucket {', '.join(missing)} (gap)")
        if unknown:
            problems.append(f"tier {', '.join(unknown)}: no such bucket")
    return problems


def tier_for(
    key: str, tiers: Sequence[Tier], *, dpd: int, bucket: str, product: str, owed_fen: int
) -> Tier | None:
    """The tier a case falls in (None: no tier covers it)."""
    if key in NUMERIC_KEYS:
        x = dpd if key == "dpd" else owed_fen
        for t in tiers:
            if t.low is not None and t.low <= x and (t.high is None or x < t.high):
                return t
        return None
    want = bucket if key == "bucket" else product
    exact = next((t for t in tiers if t.value == want), None)
    if exact is not None or key == "bucket":
        return exact
    return next((t for t in tiers if t.value == ""), None)


def commission_fen(amount_fen: int, rate: Decimal) -> int:
    """Commission on `amount_fen` at `rate`, half-up to the fen (rate has 6 places: exact)."""
    return decimal_fen(Decimal(int(amount_fen)) * rate)


def review_due(last_review_on: dt.date | None) -> dt.date | None:
    """The next yearly review: a year after the last (29 February: 28 February next year)."""
    if last_review_on is None:
        return None
    try:
        return last_review_on.replace(year=last_review_on.year + 1)
    except ValueError:
        return last_review_on.replace(year=last_review_on.year + 1, day=28)


def parse_network(text: str) -> str:
    """A CIDR range (or single address) in canonical form; ValueError when it is not one."""
    return str(ipaddress.ip_network(text.strip(), strict=False))


def ip_allowed(ip: str | None, networks: Sequence[str]) -> bool:
    """Whether `ip` lies in one of `networks` (no networks: any address is allowed)."""
    if not networks:
        return True
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for net in networks:
        try:
            if addr in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue
    return False


def parse_tier_lines(key: str, text: str) -> list[Tier]:
    """Tiers written one a line, `range-or-value rate`: `0-90 15%`, `90- 20%` (DPD or yuan
    owed for amount; the end is exclusive, blank: no end), `M3 0.18`, `* 10%` (every other
    product). ValueError names the line that cannot be read."""
    from arrears.core.money import MoneyError, parse_rate, to_fen

    tiers = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"line {n}: write the range or value, a space, then the rate")
        what, rate_text = parts
        try:
            rate = parse_rate(rate_text)
        except MoneyError:
            raise ValueError(f"line {n}: {rate_text!r} is not a rate") from None
        if key in NUMERIC_KEYS:
            if "-" not in what:
                raise ValueError(f"line {n}: write a range such as 0-90 or 90-")
            low_t, high_t = what.split("-", 1)
            try:
                if key == "amount":
                    low = to_fen(low_t)
                    high = to_fen(high_t) if high_t else None
                else:
                    low = int(low_t)
                    high = int(high_t) if high_t else None
            except (ValueError, MoneyError):
                raise ValueError(f"line {n}: {what!r} is not a range") from None
            tiers.append(Tier(low=low, high=high, rate=rate))
        else:
            tiers.append(Tier(value="" if what == "*" else what, rate=rate))
    return tiers


def tier_lines(key: str, tiers: Sequence) -> str:
    """The tiers written back as parse_tier_lines reads them (for the edit form)."""
    from arrears.core.money import fen_to_yuan

    out = []
    for t in tiers:
        rate = f"{(Decimal(t.rate) * 100).normalize():f}%"
        if key in NUMERIC_KEYS:
            low = t.low if key == "dpd" else fen_to_yuan(t.low)
            high = "" if t.high is None else (t.high if key == "dpd" else fen_to_yuan(t.high))
            out.append(f"{low}-{high} {rate}")
        else:
            out.append(f"{t.value or '*'} {rate}")
    return "\n".join(out)
