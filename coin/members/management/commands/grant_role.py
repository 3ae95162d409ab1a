"""``coin grant_role USERNAME ROLE --decision TEXT``: the system grants a role at once.

For installation: the first board member of a fresh install has no second
board member to confirm their role, so the operator (who runs commands on the
server) grants it. In the volunteer area a grant is a proposal that a second
board member confirms.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coin.members import audit, services
from coin.members.choices import AuditSource
from coin.members.models import Member, Role


class Command(BaseCommand):
    help = "Give a member a role at once, as the system (installation, first board member)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help="The role's code, e.g. board, finances.")
        parser.add_argument(
            "--decision", required=True, help="The assembly or board decision granting it."
        )

    def handle(self, *args, username, role, decision, **options):
        member = Member.objects.filter(username=username).first()
        if member is None:
            raise CommandError(f"No member with the username {username!r}.")
        role_obj = Role.objects.filter(slug=role).first()
        if role_obj is None:
            slugs = ", ".join(Role.objects.values_list("slug", flat=True))
            raise CommandError(f"No role {role!r}; roles: {slugs}.")
        try:
            with audit.acting_as(source=AuditSource.COMMAND):
                services.propose_role_assignment(member, role_obj, actor=None, decision=decision)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{member.username} holds the role {role_obj.slug} from now on; "
            "a 2FA enrolment link was e-mailed if they have no authenticator yet."
        )
