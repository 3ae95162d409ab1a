"""The generic pages: list, detail and action, each behind the back office's door.

A page is a subclass of one of these views, registered with
``registry.register_page``. The door (:class:`BackofficeView`) lets in only
verified role holders (the 2FA middleware has already asked them for their code)
whose roles give the page's permission; the services check rights again.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import FormView, TemplateView
from django_tables2 import RequestConfig

from coin.forms import add_service_error

from . import registry
from .exports import csv_response


def may_enter(user):
    """True for an active role holder who has passed the second factor (as the admin site asks)."""
    return user.is_authenticated and user.is_active and user.is_staff and user.is_verified()


def refuse(request, error=None):
    """A 403 page saying, in the reader's language, that their roles do not open this."""
    message = " ".join(str(arg) for arg in error.args) if error is not None else ""
    return TemplateResponse(request, "backoffice/forbidden.html", {"message": message}, status=403)


class BackofficeView(TemplateView):
    """Refuses whoever may not open ``self.page``; gives templates the menu and the title."""

    page = None  # set by registry.register_page

    def dispatch(self, request, *args, **kwargs):
        # Its own registration, not one inherited from the view it extends (whose
        # permission may be a different one).
        if "page" not in type(self).__dict__:
            raise ImproperlyConfigured(f"{type(self).__name__} is not registered.")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if not may_enter(request.user) or not self.page.allowed(request.user):
            return refuse(request)
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return self.page.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["menu"] = registry.menu_for(self.request.user)
        context["title"] = self.get_title()
        return context

    def links(self, names, *args):
        """[(title, url)] of the pages named, among those the person may open."""
        user = self.request.user
        return [
            (page.title, reverse(f"backoffice:{page.name}", args=args))
            for page in (registry.page(name) for name in names)
            if page.allowed(user)
        ]


class ObjectListView(BackofficeView):
    """A sortable, filterable, paginated table, exported as CSV with ``?export=csv``."""

    template_name = "backoffice/list.html"
    queryset = None
    table_class = None
    filterset_class = None
    per_page = 50
    export_filename = "export"
    actions = ()  # names of pages without arguments shown as buttons (e.g. "add")

    def get_queryset(self):
        return self.queryset.all()

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset())
        # A filter that does not validate shows its error and no rows: never "everything"
        # in place of what was asked, on the page or in an export.
        valid = not filterset.is_bound or filterset.is_valid()
        table = self.table_class(filterset.qs if valid else filterset.queryset.none())
        RequestConfig(request, paginate=False).configure(table)  # sorting from ?sort=
        if valid and request.GET.get("export") == "csv":
            return csv_response(table, self.export_filename)
        self.paginate(table)
        export_query = request.GET.copy()
        export_query["export"] = "csv"
        export_query.pop("page", None)
        context = self.get_context_data(
            filterset=filterset,
            table=table,
            export_query=export_query.urlencode(),
            actions=self.links(self.actions),
        )
        return self.render_to_response(context)

    def paginate(self, table):
        # Our own page size, not one from the query string (?per_page=100000 would
        # render every row); a page past the end shows the last one, not an error.
        try:
            number = int(self.request.GET.get("page", 1))
        except ValueError:
            number = 1
        try:
            table.paginate(page=number, per_page=self.per_page)
        except EmptyPage:
            last = table.paginator.num_pages if number > 1 else 1
            table.paginate(page=last, per_page=self.per_page)


class ObjectDetailView(BackofficeView):
    """One object and its panels (``registry.register_panel``), with links to its actions."""

    template_name = "backoffice/detail.html"
    queryset = None
    actions = ()  # names of action pages taking this object's pk

    def get_object(self):
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def get_title(self):
        return str(self.object)

    def get_actions(self):
        """The action links offered for this object: allowed to the person and applicable to it."""
        user = self.request.user
        links = []
        for name in self.actions:
            page = registry.page(name)
            if page.allowed(user) and page.view.applies_to(self.object):
                links.append((page.title, reverse(f"backoffice:{name}", args=[self.object.pk])))
        return links

    def render_panels(self):
        shown = []
        for panel in registry.panels_for(self.queryset.model, self.request.user):
            context = panel.context(self.object, self.request)
            if context is not None:
                html = render_to_string(
                    panel.template_name, {"object": self.object, **context}, self.request
                )
                shown.append((panel, mark_safe(html)))  # rendered by our own template
        return shown

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(
            object=self.object, panels=self.render_panels(), actions=self.get_actions()
        )
        return self.render_to_response(context)


class ActionView(BackofficeView, FormView):
    """A form whose valid submission calls one service, ``service``, and nothing else.

    Subclasses set ``service`` (the function) and ``service_arguments(form)``
    returning ``(args, kwargs)`` without the actor, which is always the person
    logged in. The service's ``ValidationError`` lands on the form's fields (or
    on top of the form); its ``PermissionDenied`` is the 403 page.
    """

    template_name = "backoffice/action.html"
    queryset = None  # the objects this action may act on, when its URL takes a pk
    service = None
    success_message = ""
    error_field = None  # where a service error keyed by no field of the form goes (None: on top)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A plain function stored on a class would be called as a method.
        service = cls.__dict__.get("service")
        if service is not None and not isinstance(service, staticmethod):
            cls.service = staticmethod(service)

    @classmethod
    def applies_to(cls, obj):
        """Whether the detail page of ``obj`` offers this action (the service decides anyway)."""
        return True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None

    def get(self, request, *args, **kwargs):
        self.load_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_object()
        return super().post(request, *args, **kwargs)

    def load_object(self):
        if self.queryset is not None:
            self.object = get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            kwargs["target"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object, cancel_url=self.get_success_url(None), **kwargs
        )

    def service_arguments(self, form):
        """``(args, kwargs)`` for ``service``, the actor excepted."""
        raise NotImplementedError

    def form_valid(self, form):
        args, kwargs = self.service_arguments(form)
        try:
            result = self.service(*args, actor=self.request.user, **kwargs)
        except ValidationError as error:
            add_service_error(form, error, self.error_field)
            return self.form_invalid(form)
        except PermissionDenied as error:  # the service's own check of the actor's rights
            return refuse(self.request, error)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url(result))

    def get_success_url(self, result=None):
        raise NotImplementedError
