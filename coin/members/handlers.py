"""Signal handlers of the members app, connected in ``MembersConfig.ready``."""

from celery.signals import task_postrun, task_prerun
from django.apps import apps
from django.contrib.auth.management import create_permissions

from . import audit
from .choices import AuditSource
from .services import ensure_builtin_roles

_task_tokens = {}


def ensure_builtin_roles_after_migrate(sender, using="default", **kwargs):
    """After every migrate: create permissions, then the built-in roles."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_builtin_roles(using=using)


def connect_task_audit_context():
    """Record changes made by Celery tasks as made by a background job."""

    def before(task_id=None, **kwargs):
        _task_tokens[task_id] = audit._context.set(audit.AuditContext(source=AuditSource.TASK))

    def after(task_id=None, **kwargs):
        token = _task_tokens.pop(task_id, None)
        if token is not None:
            audit._context.reset(token)

    task_prerun.connect(before, weak=False, dispatch_uid="coin-audit-task-prerun")
    task_postrun.connect(after, weak=False, dispatch_uid="coin-audit-task-postrun")
