"""A member's current roles and rights, read once per member object (that is, once per request).

Kept apart from the authentication backend so the ``Member`` model can use it
(``is_staff``) without importing ``django.contrib.auth.backends``, which needs
the user model to exist already.
"""

_CACHE = "_coin_role_cache"


def load_rights(member):
    """(role ids, "app.codename" permissions) of the member's current assignments, cached on it."""
    cached = getattr(member, _CACHE, None)
    if cached is None:
        rows = (
            member.role_assignments.current()
            .filter(member__is_active=True)
            .values_list(
                "role_id",
                "role__permissions__content_type__app_label",
                "role__permissions__codename",
            )
        )
        role_ids, perms = set(), set()
        for role_id, app_label, codename in rows:
            role_ids.add(role_id)
            if codename:
                perms.add(f"{app_label}.{codename}")
        cached = (frozenset(role_ids), frozenset(perms))
        setattr(member, _CACHE, cached)
    return cached


def current_role_ids(member):
    """Ids of the roles ``member`` holds now (empty for anonymous or unsaved)."""
    if member.pk is None:
        return frozenset()
    return load_rights(member)[0]


def forget_cached_rights(member):
    """Drop the rights cached on this object so the next check reads the database."""
    if hasattr(member, _CACHE):
        delattr(member, _CACHE)
