"""Issue 11 item 3, through a real Celery worker: a billing run of 10,000 members and a
statement import of 2,000 lines run as background jobs; the request that starts each returns
at once, and the job's page shows the progress and then the result."""

import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import AssociationSettings, BankCSVProfile, BankLine, Invoice
from coin.jobs.choices import JobState
from coin.jobs.models import Job
from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.offers.models import Subscription

from .conftest import celery_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MEMBERS = 10_000


@pytest.fixture
def association(db):
    return AssociationSettings.objects.create(
        legal_name="Rézo Libre",
        address="12 rue des Lilas\n75020 Paris",
        rna="W751234567",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        creditor_id="FR72ZZZ123456",
    )


@pytest.fixture
def worker(tmp_path):
    with celery_worker(
        COIN_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        COIN_EMAIL_FILE_PATH=str(tmp_path / "mail"),
    ):
        yield


def _many_members(count, offer):
    members = Member.objects.bulk_create(
        Member(
            username=f"m{i}",
            email=f"m{i}@example.org",
            first_name="Membre",
            last_name=f"n°{i}",
            status=MemberStatus.ACTIVE,
            password="!",
            address_line1=f"{i} rue du Test",
            postal_code="75001",
            city="Paris",
        )
        for i in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(
            member=member, offer=offer, monthly_price=Decimal("5.00"), starts_on=date(2026, 1, 1)
        )
        for member in members
    )


def _follow(client, job, until, timeout=600):
    """The job's page, read every second until ``until(job)`` holds; every page seen."""
    pages = []
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        pages.append(client.get(reverse("backoffice:job_detail", args=[job.pk])).content.decode())
        if until(job):
            return pages
        assert time.monotonic() < deadline, f"job still {job.state}: {pages[-1][-2000:]}"
        time.sleep(1)


def test_a_run_of_10000_members_runs_as_a_job_with_its_progress_shown(
    association, vpn_offer, make_member, login, worker
):
    _many_members(MEMBERS, vpn_offer)
    treasurer = make_member("treasurer", roles=["finances"], language="en")
    client = login(treasurer)

    started = time.monotonic()
    response = client.post(reverse("backoffice:billing_run_start"), {"month": "2026-03"})
    answered_in = time.monotonic() - started
    job = Job.objects.get(kind="billing_run")
    assert response.status_code == 302
    # The request queued the work and came back: no invoice was written by it.
    assert job.state in (JobState.QUEUED, JobState.RUNNING)

    pages = _follow(client, job, lambda j: j.finished)
    assert job.state == JobState.SUCCEEDED, job.error
    issued = Invoice.objects.filter(billing_run__period_start=date(2026, 3, 1))
    invoices = issued.filter(kind="invoice").count()
    calls = issued.filter(kind="dues_call").count()
    # Every member an invoice; they and the treasurer a call for dues (issue 12 item 11).
    assert (invoices, calls) == (MEMBERS, MEMBERS + 1)
    assert f"{invoices} invoices issued" in pages[-1]
    assert f"{calls} calls for membership dues issued" in pages[-1]
    # Then the page follows the PDFs the workers render and e-mail, one per document.
    page = client.get(reverse("backoffice:job_detail", args=[job.pk])).content.decode()
    assert "PDFs rendered and e-mailed" in page and f" of {invoices + calls} " in page
    print(
        f"\nstart request answered in {answered_in:.2f} s; run job took "
        f"{(job.finished_at - job.created_at).total_seconds():.1f} s"
    )


LINES = 2_000


def test_a_statement_of_2000_lines_is_imported_as_a_job_with_its_progress_shown(
    association, make_member, login, worker, settings
):
    profile = BankCSVProfile.objects.create(name="Banque test", reference_column="")
    rows = ["Date;Libellé;Montant"] + [
        f"{1 + n % 28:02d}/04/2026;VIR SEPA DONATEUR {n};{10 + n // 100},{n % 100:02d}"
        for n in range(LINES)
    ]
    upload = SimpleUploadedFile("releve.csv", ("\n".join(rows) + "\n").encode())
    treasurer = make_member("treasurer", roles=["finances"], language="en")
    client = login(treasurer)

    response = client.post(
        reverse("backoffice:statement_import_start"),
        {"file": upload, "format": "csv", "profile": profile.pk},
    )
    job = Job.objects.get(kind="statement_import")
    assert response.status_code == 302
    assert job.state in (JobState.QUEUED, JobState.RUNNING)

    pages = _follow(client, job, lambda j: j.finished)
    assert job.state == JobState.SUCCEEDED, job.error
    assert BankLine.objects.count() == LINES
    assert f"{LINES} lines read, {LINES} new" in pages[-1]
    # Committed in batches, each reported: the last page counts every line.
    assert f"{LINES} of {LINES}" in pages[-1]
    assert job.payload is None  # the upload is dropped once the job ends
