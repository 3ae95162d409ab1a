"""What the back office is made of: its pages, menu groups and detail panels.

Apps declare their pages with :func:`register_page` (a class decorator on a view
from ``coin.backoffice.views``), in a module named ``backoffice`` that the back
office imports at start-up (as the admin does with ``admin`` modules). From the
registry come the URLs (``backoffice:<name>``), the menu a person sees (only the
list pages their roles allow) and the panels of each detail page.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import path, reverse

LIST, DETAIL, ACTION, HOME = "list", "detail", "action", "home"


@dataclass(frozen=True)
class Page:
    """One back-office URL: its name, route, view, and the permission that opens it.

    ``permission`` None means any verified role holder. ``menu_group`` puts a list
    page in the menu under that group.
    """

    name: str
    route: str
    view: type
    permission: str | None
    kind: str
    title: str
    menu_group: str | None = None

    def allowed(self, user):
        """True if ``user`` (already a verified role holder) may open this page."""
        return self.permission is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: str
    order: int


@dataclass(frozen=True)
class Panel:
    """A section of a detail page.

    ``context(obj, request)`` returns the template's context (None hides the
    panel); it must run a fixed number of SQL queries whatever the rows shown.
    """

    key: str
    title: str
    template_name: str
    context: object
    permission: str | None = None
    order: int = 100


_pages = {}
_menu_groups = {}
_panels = {}


def register_page(name, route, *, kind, title, permission=None, menu_group=None):
    """Class decorator: serve the view at ``/gestion/<route>`` as ``backoffice:<name>``."""

    def decorate(view_class):
        if name in _pages and _pages[name].view is not view_class:
            raise ImproperlyConfigured(f"Two back-office pages are named {name!r}.")
        own = view_class.__dict__.get("page")
        if own is not None and own.name != name:
            raise ImproperlyConfigured(f"{view_class.__name__} is already the page {own.name!r}.")
        page = Page(name, route, view_class, permission, kind, title, menu_group)
        _pages[name] = page
        view_class.page = page
        return view_class

    return decorate


def register_menu_group(key, label, order=100):
    """Declare a menu heading; list pages name it in ``register_page(menu_group=...)``."""
    _menu_groups[key] = MenuGroup(key, label, order)


def register_panel(model, panel):
    """Add ``panel`` to the detail page of ``model`` (a model class or "app_label.model")."""
    label = model if isinstance(model, str) else model._meta.label_lower
    panels = _panels.setdefault(label.lower(), {})
    panels[panel.key] = panel


def pages():
    """Every registered page, by name."""
    return dict(_pages)


def page(name):
    """The page registered as ``name`` (KeyError if none)."""
    return _pages[name]


def panels_for(model, user):
    """The panels of ``model``'s detail page that ``user`` may see, in order."""
    panels = _panels.get(model._meta.label_lower, {}).values()
    return sorted(
        (p for p in panels if p.permission is None or user.has_perm(p.permission)),
        key=lambda p: (p.order, p.key),
    )


def urlpatterns():
    """The URL patterns of every registered page (built once the apps are loaded)."""
    return [path(p.route, p.view.as_view(), name=p.name) for p in _pages.values()]


def menu_for(user):
    """[(group label, [(title, url), ...]), ...]: the list pages ``user`` may open, by group."""
    groups = []
    for group in sorted(_menu_groups.values(), key=lambda g: (g.order, g.key)):
        entries = [
            (p.title, reverse(f"backoffice:{p.name}"))
            for p in _pages.values()
            if p.kind == LIST and p.menu_group == group.key and p.allowed(user)
        ]
        if entries:
            groups.append((group.label, entries))
    return groups
