"""``coin provision [ENDPOINT ...] [--here] [--check]``: provision endpoints from the shell."""

from django.core.management.base import BaseCommand, CommandError

from netops.provisioning import services
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import Endpoint, ProvisioningJob


class Command(BaseCommand):
    help = (
        "Bring endpoints up to date with the database (all active ones by default). "
        "Queues jobs for the workers, or runs them in this process with --here; --check only compares."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "endpoints", nargs="*", help="endpoint names (default: every active endpoint)"
        )
        parser.add_argument(
            "--here", action="store_true", help="run the jobs in this process and wait"
        )
        parser.add_argument(
            "--check", action="store_true", help="only list the files that differ (drift)"
        )

    def handle(self, endpoints, here=False, check=False, **options):
        chosen = (
            Endpoint.objects.filter(name__in=endpoints)
            if endpoints
            else Endpoint.objects.filter(is_active=True)
        )
        unknown = set(endpoints) - set(chosen.values_list("name", flat=True))
        if unknown:
            raise CommandError(f"unknown endpoints: {', '.join(sorted(unknown))}")
        failed = False
        for endpoint in chosen:
            if check:
                differ = services.check_drift(endpoint)
                endpoint.refresh_from_db()
                status = endpoint.drift_error or (", ".join(differ) if differ else "in sync")
                self.stdout.write(f"{endpoint.name}: {status}")
                failed |= differ != []
            elif here:
                job = ProvisioningJob.objects.create(
                    endpoint=endpoint, reason="coin provision --here"
                )
                try:
                    job = services.run_job(job.pk)
                except Exception as error:  # unreachable or busy: say so, go on with the others
                    self.stdout.write(f"{endpoint.name}: {error}")
                    failed = True
                    continue
                self.stdout.write(
                    f"{endpoint.name}: {job.status}, {len(job.changed_files)} files written, "
                    f"{len(job.removed_files)} removed, {len(job.routes_added)} routes added, "
                    f"{len(job.routes_removed)} removed {job.error}"
                )
                failed |= job.status != JobStatus.SUCCEEDED
            else:
                job = services.request_provisioning(endpoint, reason="coin provision")
                self.stdout.write(f"{endpoint.name}: job #{job.pk} queued")
        if failed:
            raise CommandError("some endpoints were not brought up to date")
