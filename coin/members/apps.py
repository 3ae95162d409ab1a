from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "coin.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self):
        from . import audit, handlers
        from .models import Application, Member, MembershipPeriod, Role, RoleAssignment

        audit.register(Member, exclude=("last_login",), secret=("password",))
        audit.register(MembershipPeriod)
        audit.register(Role, m2m=("permissions",))
        audit.register(RoleAssignment)
        audit.register(Application, m2m=("offers",))
        post_migrate.connect(handlers.ensure_builtin_roles_after_migrate, sender=self)
        handlers.connect_task_audit_context()
