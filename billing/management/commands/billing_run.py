"""coin billing_run --month YYYY-MM [--preview]: the monthly billing run, by hand."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.choices import AuditSource

from ... import services


class Command(BaseCommand):
    help = "Create (or, with --preview, list) the invoices of a month: one per member, idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: the current month)")
        parser.add_argument(
            "--preview", action="store_true", help="Print what would be invoiced; change nothing."
        )
        parser.add_argument(
            "--no-email", action="store_true", help="Do not queue the PDF rendering and emails."
        )

    def handle(self, *args, month=None, preview=False, no_email=False, **options):
        try:
            day = services.parse_month(month) if month else timezone.localdate()
            if preview:
                plans = services.plan_month(day)
                for plan in plans:
                    if plan.missing_mention:
                        self.stderr.write(
                            _("Not invoiced: %(reason)s") % {"reason": plan.missing_mention}
                        )
                        continue
                    self.stdout.write(f"{plan.customer_name}: {services.format_money(plan.total)}")
                    for line in plan.lines:
                        self.stdout.write(
                            f"    {line.description}  {line.unit_price} × {line.quantity} = {line.amount}"
                        )
                total = sum((plan.total for plan in plans), services.money(0))
                self.stdout.write(
                    _(
                        "Preview of %(month)s: %(count)s invoices, %(total)s in all (nothing was written)."
                    )
                    % {
                        "month": day.strftime("%Y-%m"),
                        "count": len(plans),
                        "total": services.format_money(total),
                    }
                )
                return
            with audit.acting_as(source=AuditSource.COMMAND):
                result = services.billing_run(day, actor=None, deliver=not no_email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if result.dues_calls:
            self.stdout.write(
                _("%(count)s calls for membership dues issued.") % {"count": result.dues_calls}
            )
        if result.created:
            self.stdout.write(
                _("%(count)s invoices issued (%(first)s to %(last)s), %(total)s in all.")
                % {
                    "count": result.created,
                    "first": result.first_number,
                    "last": result.last_number,
                    "total": services.format_money(result.total),
                }
            )
        elif not result.dues_calls:
            self.stdout.write(
                _("Nothing new to invoice for %(month)s.") % {"month": day.strftime("%Y-%m")}
            )
        for reason in result.skipped:
            self.stderr.write(_("Not invoiced: %(reason)s") % {"reason": reason})
