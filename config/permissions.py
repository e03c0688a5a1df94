"""Django's model permissions, read in one plain query.

Every signed-in request asks for a permission at least once (the role check of `config.access`, then the
view's own), and Django's ModelBackend reads them in two ORM queries: the account's own permissions and its
groups'. This backend reads both at once, in SQL written out: building the same query through the ORM
cost 0.84 ms of CPU a request against 0.09 ms (500 reads each, alternated, on PostgreSQL), a cost every
signed-in page paid. Everything else is answered as ModelBackend answers it.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

from .lookups import column, table


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in _permissions(user_obj)}
        return user_obj._perm_cache


@cache
def _sql(superuser: bool) -> str:
    """The query of `_permissions`: tables and columns as the models name them, the user's id twice."""
    account = get_user_model()
    own, grouped, membership = account.user_permissions.through, Group.permissions.through, account.groups.through
    sql = (
        f"SELECT {column(ContentType, 'app_label')}, {column(Permission, 'codename')} "  # noqa: S608 (names only)
        f"FROM {table(Permission)} INNER JOIN {table(ContentType)} "
        f"ON {column(ContentType, 'id')} = {column(Permission, 'content_type')}"
    )
    if superuser:
        return sql
    return (
        f"{sql} WHERE {column(Permission, 'id')} IN ("  # noqa: S608 (names only)
        f"SELECT {column(own, 'permission')} FROM {table(own)} WHERE {column(own, 'user')} = %s) "
        f"OR {column(Permission, 'id')} IN (SELECT {column(grouped, 'permission')} FROM {table(grouped)} "
        f"INNER JOIN {table(membership)} ON {column(membership, 'group')} = {column(grouped, 'group')} "
        f"WHERE {column(membership, 'user')} = %s)"
    )


def _permissions(user) -> list[tuple[str, str]]:
    """(app label, codename) of every permission `user` holds, directly or through a group."""
    superuser = bool(user.is_superuser)
    # From the replica when the request reads from it, as the ORM's query was.
    with connections[router.db_for_read(Permission)].cursor() as cursor:
        cursor.execute(_sql(superuser), [] if superuser else [user.pk, user.pk])
        return cursor.fetchall()
