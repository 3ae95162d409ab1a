"""The jobs' back-office pages: the list of jobs one may follow, and a job's progress page."""

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import DETAIL, LIST, register_menu_group, register_page
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import BackofficeView, ObjectDetailView, ObjectListView, refuse

from . import kinds, services
from .choices import JobState
from .models import Job

register_menu_group("jobs", _("Background work"), order=90)


def followed_by(user):
    """The jobs ``user`` may follow: started by them, or of a kind their roles cover."""
    return Job.objects.filter(
        Q(started_by=user) | Q(kind__in=kinds.kinds_visible_to(user))
    ).select_related("started_by")


class JobTable(tables.Table):
    id = tables.Column(verbose_name="#", linkify=("backoffice:job_detail", [tables.A("pk")]))
    kind = tables.Column(accessor="kind_label", order_by=("kind",), verbose_name=_("kind"))
    state = BadgeColumn()
    started_by = tables.Column()
    created_at = tables.DateTimeColumn()
    finished_at = tables.DateTimeColumn()
    summary = tables.Column(orderable=False)

    class Meta:
        model = Job
        fields = ("id", "kind", "state", "started_by", "created_at", "finished_at", "summary")
        empty_text = _("No background work yet.")


class JobFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=JobState.choices, label=_("state"))

    class Meta:
        model = Job
        fields = ["state"]


@register_page("job_list", "jobs/", kind=LIST, title=_("Background work"), menu_group="jobs")
class JobListView(ObjectListView):
    table_class = JobTable
    filterset_class = JobFilterSet
    export_filename = "jobs"

    def get_queryset(self):
        return followed_by(self.request.user)

    @property
    def actions(self):
        # The start pages of the kinds the person's roles cover.
        return [kind.start_page for kind in kinds.all_kinds().values() if kind.start_page]


@register_page("job_detail", "jobs/<int:pk>/", kind=DETAIL, title=_("Background work"))
class JobDetailView(ObjectDetailView):
    """How far a job got; the page reloads itself every few seconds until the job ends."""

    template_name = "jobs/job.html"
    queryset = Job.objects.select_related("started_by")

    def get(self, request, *args, **kwargs):
        job = get_object_or_404(self.queryset, pk=kwargs["pk"])
        if not services.may_follow(request.user, job):
            return refuse(request)
        self.object = job
        done, total, stage = services.live_progress(job)
        percent = min(100, done * 100 // total) if total else None
        context = self.get_context_data(
            object=job,
            done=done,
            total=total,
            stage=stage,
            percent=percent,
            panels=(),
            actions=(),
        )
        return self.render_to_response(context)


@register_page("job_file", "jobs/<int:pk>/file/", kind=DETAIL, title=_("File"))
class JobFileView(BackofficeView):
    """The file a finished job made (a report's PDF), for whoever may follow the job."""

    def get(self, request, pk):
        job = get_object_or_404(Job.objects.exclude(output=""), pk=pk)
        if not services.may_follow(request.user, job):
            return refuse(request)
        try:
            handle = job.output.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=job.output_name)
