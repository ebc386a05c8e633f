"""The navigation bar: one list, in one place, that later capabilities extend.

An app adds its pages with `nav_register(NavItem(...))` in its AppConfig.ready(); the bar
shows each item only to users whose role holds the item's capability (or is in its roles).
Visibility here is a convenience: every view still checks scope and capability itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from arrears.core.models import User


@dataclass(frozen=True)
class NavItem:
    """One link of the top bar.

    `url_name` is reversed without arguments; `prefix` marks the item active for every page
    under it (default: the reversed URL). `capability` (core.roles) or `roles` restrict who
    sees it; with neither, every signed-in user does. Lower `order` comes first.
    """

    key: str
    label: str | Promise
    url_name: str
    order: int = 100
    capability: str | None = None
    roles: frozenset[str] | None = None
    prefix: str | None = None

    def visible_to(self, user: User) -> bool:
        if not user.is_authenticated:
            return False
        if self.capability is not None and not user.can(self.capability):
            return False
        if self.roles is not None and user.role not in self.roles and not user.is_superuser:
            return False
        return True


NAV: list[NavItem] = [
    NavItem("home", _("Overview"), "web:home", order=10, prefix="/"),
    NavItem("loans", _("Loans"), "web:loan_list", order=20, prefix="/loans/"),
    NavItem("borrowers", _("Borrowers"), "web:borrower_list", order=30, prefix="/borrowers/"),
]


def nav_register(item: NavItem) -> None:
    """Add (or replace, by key) an item of the top bar."""
    NAV[:] = [i for i in NAV if i.key != item.key]
    NAV.append(item)


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str
    url: str
    active: bool


def nav_for(user: User, path: str) -> list[NavLink]:
    """The links `user` sees, in order, with the one for `path` marked active.

    One link at most is active: the one whose prefix matches `path` longest (so
    /compliance/overrides/ is "Overrides", not also "Rule packs" at /compliance/).
    """
    found: list[tuple[NavItem, str, str]] = []
    for item in sorted(NAV, key=lambda i: (i.order, i.key)):
        if not item.visible_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # an app registered a page that is not routed (yet): skip, never crash
        found.append((item, url, item.prefix or url))

    def matches(prefix: str) -> bool:
        return path == prefix if prefix == "/" else path.startswith(prefix)

    best = max((len(p) for _, _, p in found if matches(p)), default=None)
    return [
        NavLink(item.key, str(item.label), url, matches(prefix) and len(prefix) == best)
        for item, url, prefix in found
    ]
