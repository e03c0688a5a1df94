"""Django's model permissions, read in one query.

Every signed-in request asks for a permission at least once (the role check of `config.access`, then the
view's own), and Django's ModelBackend reads them in two queries: the account's own permissions and its
groups'. This backend reads both at once, and answers everything else as ModelBackend does.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Q


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in _permissions(user_obj)}
        return user_obj._perm_cache


def _permissions(user):
    """(app label, codename) of every permission `user` holds, directly or through a group."""
    permissions = Permission.objects.all()
    if not user.is_superuser:
        own = get_user_model().user_permissions.through.objects.filter(user_id=user.pk).values("permission_id")
        grouped = Group.permissions.through.objects.filter(group__user=user).values("permission_id")
        permissions = permissions.filter(Q(pk__in=own) | Q(pk__in=grouped))
    return permissions.values_list("content_type__app_label", "codename").order_by()
