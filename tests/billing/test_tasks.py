"""The Celery entry points call the services.

Two concurrent runs of the same month create each invoice once.
"""

import threading
from datetime import date

import pytest
from django.db import connections

from billing import services, tasks
from billing.models import Invoice, Suspension


def test_the_monthly_task_runs_the_billing(make_member, association, vpn_offer, subscribe):
    subscribe(make_member(), vpn_offer)
    assert tasks.billing_run_task.apply(args=["2026-03"]).get() == {"created": 1, "total": "20.00"}
    assert tasks.billing_run_task.apply(args=["2026-03"]).get() == {"created": 0, "total": "0.00"}


def test_the_daily_dunning_task(make_member, issued_invoice):
    member = make_member()
    issued_invoice(member, "10.00", issued_on=date(2020, 1, 1))
    result = tasks.dunning_task.apply().get()
    assert result["reminders"] == 1 and result["suspended"] == 1
    assert Suspension.objects.filter(member=member, ended_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_a_month_invoice_each_member_once(
    make_member, association, vpn_offer, subscribe
):
    for _ in range(30):
        subscribe(make_member(), vpn_offer)
    errors, barrier = [], threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            services.billing_run(
                date(2026, 3, 1), actor=None, issued_on=date(2026, 3, 1), deliver=False
            )
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Invoice.objects.filter(kind="invoice").values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 31)]
    calls = sorted(Invoice.objects.filter(kind="dues_call").values_list("number", flat=True))
    assert calls == [f"COT-2026-{n:06d}" for n in range(1, 31)]
