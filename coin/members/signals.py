"""Signals the members app sends, and its signal handlers."""

from django.dispatch import Signal

from .choices import AuditSource

# Sent once a role assignment takes effect (after commit), with ``assignment``.
# The portal listens to send a 2FA enrolment link to a new role holder.
role_granted = Signal()

# Sent by ``services.change_status`` when a member is admitted (or readmitted), inside the
# admission's transaction, with ``member``, ``actor`` and ``on`` (the admission date). Inside,
# not on commit: what the association's rules add (billing: the first membership period and its
# dues invoice) is stored with the admission or not at all. A receiver returns a sentence for
# the volunteer (what it did, or what remains to do) or None.
member_admitted = Signal()

_task_tokens = {}


def ensure_builtin_roles_after_migrate(sender, using="default", **kwargs):
    """After every migrate: create permissions, then the built-in roles."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .services import ensure_builtin_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_builtin_roles(using=using)


def connect_task_audit_context():
    """Record changes made by Celery tasks as made by a background job."""
    from celery.signals import task_postrun, task_prerun

    from . import audit

    def before(task_id=None, **kwargs):
        _task_tokens[task_id] = audit._context.set(audit.AuditContext(source=AuditSource.TASK))

    def after(task_id=None, **kwargs):
        token = _task_tokens.pop(task_id, None)
        if token is not None:
            audit._context.reset(token)

    task_prerun.connect(before, weak=False, dispatch_uid="coin-audit-task-prerun")
    task_postrun.connect(after, weak=False, dispatch_uid="coin-audit-task-postrun")
