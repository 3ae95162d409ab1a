"""Authentication backend: a member's rights are the union of their current roles.

There are no per-user or group permissions: the only way to hold a right is a
current ``RoleAssignment``. Rights are computed once per member object, that is
once per request, so ending an assignment takes effect on the next request.
"""

from django.contrib.auth.backends import ModelBackend

from .models import RoleAssignment

_CACHE = "_coin_role_cache"


def _load(member):
    cached = getattr(member, _CACHE, None)
    if cached is None:
        rows = (
            RoleAssignment.objects.current()
            .filter(member_id=member.pk, member__is_active=True)
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
    return _load(member)[0]


def forget_cached_rights(member):
    """Drop the rights cached on this object so the next check reads the database."""
    if hasattr(member, _CACHE):
        delattr(member, _CACHE)


class RoleBackend(ModelBackend):
    """Password authentication (from ModelBackend) and role-based permissions."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(_load(user_obj)[1])

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(
            perm.split(".", 1)[0] == app_label for perm in self.get_all_permissions(user_obj)
        )
