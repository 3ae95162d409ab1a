"""The back office's one search box, made of what each app says it can find.

The core knows no app: each app registers a :class:`SearchProvider` in its
``search`` module (``netops/search.py``, ``billing/search.py``, later
``dsl/search.py``...), which the back office imports at start-up like the
``backoffice`` modules. A provider gets the typed text as a :class:`Query` and
returns its hits, at most ``limit`` plus one (to tell "more"), in a fixed
number of SQL queries whatever it finds; it returns nothing for text that is
not of its kind (an IP provider ignores a name). The page shows the hits of
every provider the person's roles allow, grouped by kind.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

MAX_LENGTH = 100  # longer text is cut: no query is built from a pasted page
LIMIT = 20  # hits shown per kind


@dataclass(frozen=True)
class Query:
    """What was typed, tidied: ``text`` (stripped, capped), its ``words``, and
    ``compact`` (no spaces, upper case: how IBANs and serial numbers are written)."""

    text: str

    @classmethod
    def parse(cls, raw):
        return cls(" ".join((raw or "").split())[:MAX_LENGTH])

    @property
    def words(self):
        return self.text.split()

    @property
    def compact(self):
        return re.sub(r"\s+", "", self.text).upper()

    def __bool__(self):
        return bool(self.text)


@dataclass(frozen=True)
class Hit:
    """One result: what it is, where to open it (None: nowhere), and a line of detail."""

    label: str
    url: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class SearchProvider:
    """One kind of result. ``find(query, limit)`` returns a list of :class:`Hit`, at most
    ``limit + 1``, in a fixed number of queries; ``permission`` None: any role holder."""

    key: str
    title: str
    find: object
    permission: str | None = None
    order: int = 100

    def allowed(self, user):
        return self.permission is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class Group:
    """The hits of one provider, as the results page shows them."""

    provider: SearchProvider
    hits: list
    more: bool


_providers = {}


def register_search(provider):
    """Add ``provider`` to the search box (once per key)."""
    known = _providers.get(provider.key)
    if known is not None and known.find is not provider.find:
        raise ImproperlyConfigured(f"Two search providers are named {provider.key!r}.")
    _providers[provider.key] = provider
    return provider


def providers():
    """Every registered provider, by key."""
    return dict(_providers)


def search(raw, user, limit=LIMIT):
    """[Group, ...]: what each provider ``user`` may use finds for ``raw``, empty groups left out."""
    query = Query.parse(raw)
    if not query:
        return []
    groups = []
    for provider in sorted(_providers.values(), key=lambda p: (p.order, p.key)):
        if not provider.allowed(user):
            continue
        hits = list(provider.find(query, limit))
        if hits:
            groups.append(Group(provider, hits[:limit], more=len(hits) > limit))
    return groups
