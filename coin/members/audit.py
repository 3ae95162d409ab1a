"""The audit log: who changed what, when, from where, with the field diff.

Models are registered with :func:`register` (each app does it in its
``AppConfig.ready``). From then on every ``save()``, ``delete()`` and change of
a registered many-to-many field writes an :class:`AuditEvent`, whatever path
made it: portal, volunteer area, API, service function, task or shell.

Who and from where come from the *audit context*: the request middleware sets
it for web requests, Celery signals for tasks, and services wrap their work in
:func:`acting_as` so that an explicit actor is recorded. Bulk queryset
operations (``update()``, ``bulk_create()``, ``bulk_update()``) bypass model
signals, so a registered model's default manager must use
:class:`AuditedQuerySet`, which records them too; :func:`register` refuses a
model that does not.
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .choices import AuditAction, AuditSource

HIDDEN = "********"


@dataclass(frozen=True)
class AuditContext:
    """Who acts (a member, a callable returning one, or None), from which address, through what."""

    actor: object = None
    ip_address: str | None = None
    source: str = AuditSource.SERVICE

    def resolve_actor(self):
        actor = self.actor() if callable(self.actor) else self.actor
        if actor is None or not getattr(actor, "is_authenticated", False):
            return None
        return actor


@dataclass(frozen=True)
class AuditPolicy:
    exclude: frozenset
    secret: frozenset
    m2m: frozenset


_DEFAULT_CONTEXT = AuditContext()
_context: ContextVar[AuditContext | None] = ContextVar("coin_audit_context", default=None)
_registry: dict[type, AuditPolicy] = {}


def current_context():
    """The audit context in force for the current thread or task."""
    context = _context.get()
    return _DEFAULT_CONTEXT if context is None else context


@contextmanager
def acting_as(actor=None, *, source=None, ip_address=None):
    """Record changes made inside the block as done by ``actor``.

    Values not given are inherited from the enclosing context, so a service
    called from a web request keeps the request's address and source.
    """
    outer = current_context()
    inner = replace(
        outer,
        actor=actor if actor is not None else outer.actor,
        source=source or outer.source,
        ip_address=ip_address or outer.ip_address,
    )
    token = _context.set(inner)
    try:
        yield inner
    finally:
        _context.reset(token)


def register(model, *, exclude=(), secret=(), m2m=()):
    """Audit every change to ``model``.

    ``exclude``: fields never recorded (noise such as ``last_login``).
    ``secret``: fields recorded as changed without their values (passwords, keys).
    ``m2m``: many-to-many fields whose additions and removals are recorded.
    """
    if not issubclass(model._default_manager._queryset_class, AuditedQuerySet):
        raise ImproperlyConfigured(
            f"{model._meta.label}: its default manager must use audit.AuditedQuerySet, "
            "so that bulk updates and inserts are audited too."
        )
    _registry[model] = AuditPolicy(frozenset(exclude), frozenset(secret), frozenset(m2m))
    uid = f"coin-audit-{model._meta.label}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_after_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + "-del")
    for name in m2m:
        through = model._meta.get_field(name).remote_field.through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}-m2m-{name}")


def registered_models():
    """Every audited model, in registration order."""
    return list(_registry)


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _value(field, raw):
    """A field's value as recorded: JSON-safe, and normalised as the database stores it."""
    if raw is not None and isinstance(field, models.DecimalField):
        raw = Decimal(raw).quantize(Decimal(1).scaleb(-field.decimal_places))
    return _json(raw)


def snapshot(instance):
    """The recorded fields of ``instance`` as JSON-safe values."""
    policy = _registry[type(instance)]
    return {
        field.attname: (
            HIDDEN
            if field.name in policy.secret
            else _value(field, field.value_from_object(instance))
        )
        for field in instance._meta.concrete_fields
        if field.name not in policy.exclude
    }


def _stored_values(instance):
    policy = _registry[type(instance)]
    fields = [f.attname for f in instance._meta.concrete_fields if f.name not in policy.exclude]
    row = type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()
    if row is None:
        return None
    by_attname = {f.attname: f for f in instance._meta.concrete_fields}
    return {
        key: (value if by_attname[key].name in policy.secret else _value(by_attname[key], value))
        for key, value in row.items()
    }


def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    instance._audit_before = _stored_values(instance)


def _diff(instance, before):
    policy = _registry[type(instance)]
    changes = {}
    for field in instance._meta.concrete_fields:
        if field.name in policy.exclude:
            continue
        new = field.value_from_object(instance)
        old = before.get(field.attname)
        if field.name in policy.secret:
            if old != new:
                changes[field.attname] = [HIDDEN, HIDDEN]
        elif old != _value(field, new):
            changes[field.attname] = [old, _value(field, new)]
    return changes


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(instance, AuditAction.CREATE, {k: [None, v] for k, v in snapshot(instance).items()})
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None:
        return
    changes = _diff(instance, before)
    if changes:
        record(instance, AuditAction.UPDATE, changes)


def _after_delete(sender, instance, **kwargs):
    record(instance, AuditAction.DELETE, {k: [v, None] for k, v in snapshot(instance).items()})


def _m2m_field_name(model, through):
    for name in _registry[model].m2m:
        if model._meta.get_field(name).remote_field.through is through:
            return name
    return None


def _m2m_changed(sender, instance, action, reverse, **kwargs):
    if reverse or type(instance) not in _registry:
        return
    name = _m2m_field_name(type(instance), sender)
    if name is None:
        return
    current = sorted(str(obj) for obj in getattr(instance, name).all())
    if action.startswith("pre_"):
        instance.__dict__.setdefault("_audit_m2m_before", {})[name] = current
    elif action.startswith("post_"):
        before = instance.__dict__.get("_audit_m2m_before", {}).pop(name, None)
        if before is not None and before != current:
            record(instance, AuditAction.UPDATE, {name: [before, current]})


def _event_model():
    # From the app registry, as a ForeignKey("members.AuditEvent") would: models
    # modules import this one (AuditedQuerySet), so it cannot import them.
    return apps.get_model("members", "AuditEvent")


def _content_type_model():
    return apps.get_model("contenttypes", "ContentType")


def _event(instance, action, changes, message=""):
    """An unsaved AuditEvent about ``instance`` with the current context's actor."""
    context = current_context()
    actor = context.resolve_actor()
    return _event_model()(
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_repr=actor.get_username() if actor is not None else "",
        ip_address=context.ip_address,
        source=context.source,
        action=action,
        # _meta.model, not type(): request.user is a lazy proxy of the member.
        content_type=_content_type_model().objects.get_for_model(instance._meta.model),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
        message=message[:300],
    )


def record(instance, action, changes, message=""):
    """Write one audit event about ``instance`` with the current context's actor.

    Returns the event. Call it directly only for changes that bypass model
    signals (bulk operations) or for events that are not a field change.
    """
    event = _event(instance, action, changes, message)
    event.save()
    return event


class AuditedQuerySet(models.QuerySet):
    """The queryset of every audited model: bulk writes record their events like ``save()``.

    ``update()`` reads the rows it changes before and after (two queries, in
    the same transaction) and records one UPDATE event per row whose recorded
    fields changed; ``bulk_update()`` goes through ``update()``, so it is
    recorded the same way; ``bulk_create()`` records one CREATE event per row.
    Events are inserted in one query. Writes
    that touch only excluded fields record nothing. Deletions need nothing
    here: Django sends ``post_delete`` for each row of a queryset delete.
    """

    def _recorded(self, names):
        policy = _registry.get(self.model)
        if policy is None:
            return []
        fields = [self.model._meta.get_field(name) for name in names]
        return [field for field in fields if field.name not in policy.exclude]

    def _record_changes(self, before, fields):
        policy = _registry[self.model]
        events = []
        rows = self.model._base_manager.using(self.db).filter(pk__in=list(before))
        for instance in rows:
            old = before[instance.pk]
            changes = {}
            for field in fields:
                new = _value(field, field.value_from_object(instance))
                if old[field.attname] != new:
                    hidden = field.name in policy.secret
                    changes[field.attname] = (
                        [HIDDEN, HIDDEN] if hidden else [old[field.attname], new]
                    )
            if changes:
                events.append(_event(instance, AuditAction.UPDATE, changes))
        _event_model().objects.using(self.db).bulk_create(events)

    def _values_before(self, pks_or_self, fields):
        attnames = [field.attname for field in fields]
        by_attname = {field.attname: field for field in fields}
        return {
            row.pop("pk"): {key: _value(by_attname[key], value) for key, value in row.items()}
            for row in pks_or_self.order_by().values("pk", *attnames)
        }

    def update(self, **kwargs):
        fields = self._recorded(kwargs)
        if not fields:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            before = self._values_before(self, fields)
            count = super().update(**kwargs)
            self._record_changes(before, fields)
        return count

    def update_each(self, fields, rows):
        """Give each row its own values in one ``UPDATE ... FROM (VALUES ...)``, recorded like ``update()``.

        ``fields``: field names; ``rows``: {pk: (value, ...)} in the order of
        ``fields``. Django's ``bulk_update()`` builds a ``CASE`` expression per
        row and field, which costs seconds at thousands of rows; this costs one
        statement. Only rows of this queryset's model are touched (by primary key).
        """
        if not rows:
            return 0
        connection = transaction.get_connection(self.db)
        model_fields = [self.model._meta.get_field(name) for name in fields]
        pk = self.model._meta.pk
        columns = [pk, *model_fields]
        row_sql = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in columns) + ")"
        params = []
        for key, values in rows.items():
            params.append(pk.get_db_prep_value(key, connection))
            params += [
                f.get_db_prep_save(value, connection)
                for f, value in zip(model_fields, values, strict=True)
            ]
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        sql = (
            f"UPDATE {table} SET "
            + ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in model_fields)
            + f" FROM (VALUES {', '.join([row_sql] * len(rows))}) AS v("
            + ", ".join(quote(f.column) for f in columns)
            + f") WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}"
        )
        recorded = self._recorded(fields)
        with transaction.atomic(using=self.db):
            target = self.model._base_manager.using(self.db).filter(pk__in=list(rows))
            before = self._values_before(target, recorded) if recorded else None
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                count = cursor.rowcount
            if recorded:
                self._record_changes(before, recorded)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if self.model in _registry:
                _event_model().objects.using(self.db).bulk_create(
                    _event(
                        obj, AuditAction.CREATE, {k: [None, v] for k, v in snapshot(obj).items()}
                    )
                    for obj in created
                    if obj.pk is not None  # ignore_conflicts: rows not inserted have no pk
                )
        return created
