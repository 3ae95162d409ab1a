"""Issue 11 item 3: long work is started from a page, runs as a job, and is followed on its page.

Here the worker's part is called directly (``run_job``, what the Celery task runs), so each
step can be checked; tests/integration/test_jobs_worker.py runs the same through a real worker.
"""

import os
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import BillingRun, Invoice
from billing.services.sepa_rules import next_business_day
from coin.jobs import services
from coin.jobs.choices import JobState
from coin.jobs.kinds import Outcome, register_kind
from coin.jobs.models import Job


def _job_page(client, job):
    return client.get(reverse("backoffice:job_detail", args=[job.pk])).content.decode()


@pytest.fixture
def treasurer(make_member, login):
    member = make_member("treasurer", roles=["finances"], language="en")
    return member, login(member)


def test_starting_the_run_returns_at_once_and_the_worker_does_the_work(
    association, vpn_offer, subscribe, make_member, treasurer
):
    for n in range(3):
        subscribe(make_member(f"m{n}"), vpn_offer)
    member, client = treasurer
    response = client.post(reverse("backoffice:billing_run_start"), {"month": "2026-03"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:job_detail", args=[job.pk])
    # The request only queued the work: nothing is invoiced yet.
    assert job.state == JobState.QUEUED and job.started_by == member
    assert not Invoice.objects.exists()
    page = _job_page(client, job)
    assert "Waiting for a worker" in page and 'http-equiv="refresh"' in page

    services.run_job(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    issued = Invoice.objects.filter(billing_run__period_start=date(2026, 3, 1))
    # The three subscribers get an invoice; they and the treasurer, a member too, a call for dues.
    assert issued.filter(kind="invoice").count() == 3
    assert issued.filter(kind="dues_call").count() == 4
    page = _job_page(client, job)
    assert "3 invoices issued" in page and "4 calls for membership dues issued" in page
    run = BillingRun.objects.get()
    assert reverse("admin:billing_billingrun_change", args=[run.pk]) in page
    # The PDFs are the workers' next task: the page follows them, then stops refreshing.
    documents = 3 + 4  # the invoices and the calls for dues each have a PDF
    assert f"0 of {documents}" in page and 'http-equiv="refresh"' in page
    Invoice.objects.update(email_status="sent")
    page = _job_page(client, job)
    assert f"{documents} of {documents}" in page and 'http-equiv="refresh"' not in page


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(association, treasurer):
    member, client = treasurer
    job = services.start_job("billing_run", actor=member, params={"month": "2026-03"})
    services.run_job(job.pk)
    finished = Job.objects.get(pk=job.pk).finished_at
    services.run_job(job.pk)
    assert Job.objects.get(pk=job.pk).finished_at == finished
    assert BillingRun.objects.count() == 1


def test_a_refused_job_says_why_on_its_page(association, treasurer):
    member, client = treasurer
    collect_on = next_business_day(timezone.localdate() + timedelta(days=30))
    association.creditor_id = ""
    association.save()
    # Checked on the form first: nothing is queued.
    page = client.post(reverse("backoffice:sepa_batch_start"), {"collection_date": collect_on})
    assert page.status_code == 200 and "SEPA creditor identifier" in page.content.decode()
    assert not Job.objects.exists()
    # Checked again when the job runs: the settings changed while it waited for a worker.
    association.creditor_id = "FR72ZZZ123456"
    association.save()
    client.post(reverse("backoffice:sepa_batch_start"), {"collection_date": collect_on})
    association.creditor_id = ""
    association.save()
    job = Job.objects.get()
    services.run_job(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at is not None
    page = _job_page(client, job)
    assert "SEPA creditor identifier" in page
    assert 'http-equiv="refresh"' not in page


def test_an_unexpected_crash_is_recorded_without_its_details(make_member, login, settings):
    def crash(job, report):
        report(done=1, total=4, stage="Half way")
        raise RuntimeError("password=hunter2 in a traceback")

    register_kind("test_crash", "Crash test", "billing.run_billing", crash)
    member = make_member("t2", roles=["finances"], language="en")
    job = services.start_job("test_crash", actor=member)
    services.run_job(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.done == 1 and job.total == 4
    page = _job_page(login(member), job)
    assert "unexpected error" in page and "hunter2" not in page


def test_progress_is_kept_within_its_total_and_its_stage_short(make_member):
    seen = []

    def steps(job, report):
        report(total=10, done=3, stage="x" * 500)
        seen.append(Job.objects.get(pk=job.pk))
        report(done=50, total=10)
        seen.append(Job.objects.get(pk=job.pk))
        return Outcome("ok", "https://elsewhere.example/")

    register_kind("test_steps", "Steps", "billing.run_billing", steps)
    job = services.start_job("test_steps", actor=make_member("t3", roles=["finances"]))
    services.run_job(job.pk)

    assert (seen[0].done, seen[0].total, len(seen[0].stage)) == (3, 10, 200)
    assert (seen[1].done, seen[1].total) == (10, 10)
    job.refresh_from_db()
    assert job.result_url == ""  # only a page of this site is linked


def test_only_the_starter_and_holders_of_the_kinds_right_follow_a_job(
    association, treasurer, make_member, login
):
    member, client = treasurer
    job = services.start_job("billing_run", actor=member, params={"month": "2026-03"})
    url = reverse("backoffice:job_detail", args=[job.pk])
    admissions = login(make_member("adm", roles=["admissions"]))
    assert admissions.get(url).status_code == 403
    assert url not in admissions.get(reverse("backoffice:job_list")).content.decode()
    other_treasurer = login(make_member("t4", roles=["finances"]))
    assert other_treasurer.get(url).status_code == 200
    listed = client.get(reverse("backoffice:job_list")).content.decode()
    assert url in listed and "Monthly billing run" in listed


def test_without_the_right_no_job_is_started(association, make_member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_job("billing_run", actor=make_member("nobody"), params={"month": "2026-03"})
    assert not Job.objects.exists()


def test_bad_start_forms_get_errors_on_their_fields(association, treasurer, settings):
    member, client = treasurer
    page = client.post(reverse("backoffice:billing_run_start"), {"month": "March"})
    assert page.status_code == 200 and "write it like 2026-03" in page.content.decode()
    settings.COIN_STATEMENT_MAX_BYTES = 10
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("releve.ofx", b"x" * 11)
    page = client.post(
        reverse("backoffice:statement_import_start"), {"file": upload, "format": "ofx"}
    )
    assert page.status_code == 200 and "too large" in page.content.decode()
    upload = SimpleUploadedFile("releve.csv", b"a;b")
    page = client.post(
        reverse("backoffice:statement_import_start"), {"file": upload, "format": "csv"}
    )
    assert "Choose the bank CSV format" in page.content.decode()
    assert not Job.objects.exists()


def test_a_job_whose_worker_died_is_failed_by_the_sweep_and_says_to_start_again(
    association, treasurer, settings
):
    import socket
    import subprocess

    from coin.members.models import AuditEvent

    member, client = treasurer
    settings.COIN_JOB_STALE_AFTER = 3600
    here = socket.gethostname()
    ended = subprocess.Popen(["true"])
    ended.wait()  # a worker process that has ended (killed, out of memory, restarted)
    old = timezone.now() - timedelta(hours=2)
    cases = {
        "dead here": (f"{here}:{ended.pid}", timezone.now()),
        "alive here, long": (f"{here}:{os.getpid()}", old),
        "elsewhere, silent": ("other-host:4242", old),
        "elsewhere, recent": ("other-host:4243", timezone.now()),
    }
    jobs = {}
    for name, (worker, heartbeat) in cases.items():
        job = services.start_job("billing_run", actor=member, params={"month": "2026-03"})
        Job.objects.filter(pk=job.pk).update(
            state=JobState.RUNNING, started_at=old, worker=worker, heartbeat_at=heartbeat
        )
        jobs[name] = job

    assert services.sweep_stale_jobs() == 2

    states = {name: Job.objects.get(pk=job.pk).state for name, job in jobs.items()}
    assert states == {
        "dead here": JobState.FAILED,
        "alive here, long": JobState.RUNNING,
        "elsewhere, silent": JobState.FAILED,
        "elsewhere, recent": JobState.RUNNING,
    }
    page = _job_page(client, jobs["dead here"])
    assert "stopped before the end" in page and "start the work again" in page
    assert 'http-equiv="refresh"' not in page
    assert AuditEvent.objects.filter(message__contains="stopped before the end").count() == 2
    # Celery delivers the task of a lost worker again: the job does not run after all.
    services.run_job(jobs["dead here"].pk)
    assert Job.objects.get(pk=jobs["dead here"].pk).state == JobState.FAILED
    assert not BillingRun.objects.exists()


def test_a_running_job_gives_signs_of_life_as_it_reports_progress(make_member):
    seen = []

    def steps(job, report):
        seen.append(Job.objects.get(pk=job.pk).heartbeat_at)
        report(done=1, total=2)
        seen.append(Job.objects.get(pk=job.pk).heartbeat_at)
        return Outcome("ok")

    register_kind("test_heartbeat", "Heartbeat", "billing.run_billing", steps)
    job = services.start_job("test_heartbeat", actor=make_member("t4", roles=["finances"]))
    services.run_job(job.pk)

    assert seen[0] is not None and seen[1] > seen[0]
    assert Job.objects.get(pk=job.pk).worker.endswith(f":{os.getpid()}")
