"""Links each feature package adds to the drafting team's menu, without consult importing it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: frozenset = field(default_factory=lambda: frozenset({"admin", "drafter", "moderator"}))
    #: Shown only to those who see every consultation (``consult.scoping.sees_all``).
    platform_wide: bool = False


#: The drafting team's menu, in order. Feature packages append at import.
ADMIN_LINKS: list[NavLink] = []

#: Links in the public header (endpoint, label), e.g. the open surveys.
PUBLIC_LINKS: list[NavLink] = []

#: Functions that add a feature's part of the demo consultation; each takes the Consultation.
DEMO_LOADERS: list[Callable] = []


def add_admin_link(endpoint: str, label, roles=None, platform_wide: bool = False) -> None:
    if all(link.endpoint != endpoint for link in ADMIN_LINKS):
        ADMIN_LINKS.append(NavLink(endpoint, label, frozenset(roles) if roles else
                                   frozenset({"admin", "drafter", "moderator"}), platform_wide))


def add_demo_loader(loader: Callable) -> None:
    if loader not in DEMO_LOADERS:
        DEMO_LOADERS.append(loader)


def add_public_link(endpoint: str, label) -> None:
    if all(link.endpoint != endpoint for link in PUBLIC_LINKS):
        PUBLIC_LINKS.append(NavLink(endpoint, label, frozenset()))
