"""The DSL pages' cases of the back-office matrix (test_matrix.py adds them to CASES).

The world's member has a DSL subscription, so a line "ordered" exists; the cases that
need another status move a line of its own there first.
"""

from datetime import date

from netops.dsl import services
from netops.dsl.choices import DSLLineStatus
from netops.dsl.models import DSLFaultReport, DSLLine


def line(world):
    return DSLLine.objects.get(subscription=world.subscription)


LIFE = [DSLLineStatus.ORDERED, DSLLineStatus.ACTIVATION_SCHEDULED, DSLLineStatus.ACTIVE]


def _in(status):
    """The world's line brought forward to ``status`` (through the service), for the page acting
    on it; a line already further stays where it is."""

    def args(world):
        current = line(world)
        if current.status in LIFE:
            for step in LIFE[LIFE.index(current.status) + 1 : LIFE.index(status) + 1]:
                current = services.change_status(current, step, actor=None)
        return [current.pk]

    return args


def _status_is(status):
    return lambda world: line(world).status == status


def dsl_cases(Case):
    """{page name: Case} for the DSL pages, built with test_matrix's Case."""
    ordered, scheduled, active = (
        _in(DSLLineStatus.ORDERED),
        _in(DSLLineStatus.ACTIVATION_SCHEDULED),
        _in(DSLLineStatus.ACTIVE),
    )
    step = {"on": "2026-03-02", "note": "from the matrix"}
    return {
        "dsl_line_list": Case("network"),
        "dsl_line_detail": Case("network", args=ordered),
        "dsl_line_edit": Case(
            "network",
            args=ordered,
            data=lambda w: {
                "operator": "Kosc",
                "order_reference": "CMD-42",
                "ndi": "04 78 12 34 56",
                "line_address": "1 rue X",
                "technology": "vdsl",
                "ordered_on": "2026-02-01",
                "notes": "",
            },
            done=lambda w: (line(w).order_reference, line(w).ndi) == ("CMD-42", "0478123456"),
        ),
        "dsl_line_schedule": Case(
            "network",
            args=ordered,
            data=lambda w: step,
            done=lambda w: line(w).activation_scheduled_on == date(2026, 3, 2),
        ),
        "dsl_line_unschedule": Case(
            "network", args=scheduled, data=lambda w: step, done=_status_is(DSLLineStatus.ORDERED)
        ),
        "dsl_line_activate": Case(
            "network", args=scheduled, data=lambda w: step, done=_status_is(DSLLineStatus.ACTIVE)
        ),
        "dsl_line_fault": Case(
            "network", args=active, data=lambda w: step, done=_status_is(DSLLineStatus.FAULT)
        ),
        "dsl_line_terminate": Case(
            "network",
            args=ordered,
            data=lambda w: step,
            done=_status_is(DSLLineStatus.TERMINATED),
        ),
        "dsl_line_report_fault": Case(
            "network",
            args=ordered,
            data=lambda w: {"text": "No sync since this morning."},
            done=lambda w: DSLFaultReport.objects.filter(line=line(w)).exists(),
        ),
    }
