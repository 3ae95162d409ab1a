"""Authentication backend: a member's rights are the union of their current roles.

There are no per-user or group permissions: the only way to hold a right is a
current ``RoleAssignment``. Rights are computed once per member object, that is
once per request, so ending an assignment takes effect on the next request.
"""

from django.contrib.auth.backends import ModelBackend

from .rights import current_role_ids, forget_cached_rights, load_rights

__all__ = ["RoleBackend", "current_role_ids", "forget_cached_rights"]


class RoleBackend(ModelBackend):
    """Password authentication (from ModelBackend) and role-based permissions."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(load_rights(user_obj)[1])

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(
            perm.split(".", 1)[0] == app_label for perm in self.get_all_permissions(user_obj)
        )
