"""The permission backend answers as Django's ModelBackend does, in one query instead of two."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from config.permissions import PermissionBackend
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def fresh(user):
    """The account read again: no permissions cached on it."""
    return get_user_model().objects.get(pk=user.pk)


def both(user) -> tuple[set, set]:
    return PermissionBackend().get_all_permissions(fresh(user)), ModelBackend().get_all_permissions(fresh(user))


@pytest.mark.parametrize("role", ["reviewer", "editor", None])
def test_a_groups_permissions_are_the_same_as_django_reads_them(role):
    ours, django = both(make_user(role=role))
    assert ours == django
    assert ("annotate.review_claim" in ours) is (role == "editor")


def test_an_accounts_own_permissions_count_beside_its_groups():
    user = make_user(role="reviewer")
    user.user_permissions.add(Permission.objects.get(codename="review_claim"))
    ours, django = both(user)
    assert ours == django and "annotate.review_claim" in ours and "annotate.add_claim" in ours


def test_someone_elses_permissions_never_count():
    make_user(role="editor").user_permissions.add(Permission.objects.get(codename="delete_source"))
    ours, django = both(make_user(role=None))
    assert ours == django == set()


def test_superusers_hold_every_permission_and_inactive_accounts_none():
    boss = get_user_model().objects.create_superuser("boss", password="pw-for-tests-only")
    ours, django = both(boss)
    assert ours == django and len(ours) == Permission.objects.count()
    gone = make_user(role="editor")
    gone.is_active = False
    gone.save()
    assert both(gone) == (set(), set())


def test_one_query_reads_them_and_the_next_question_none(django_assert_num_queries):
    user = fresh(make_user(role="editor"))
    with django_assert_num_queries(1):
        assert user.has_perm("annotate.review_claim")
        assert not user.has_perm("annotate.no_such_permission")


def test_taking_someone_out_of_their_group_closes_it_at_the_next_request(client):
    user = make_user(role="editor")
    assert fresh(user).has_perm("annotate.review_claim")
    user.groups.clear()
    assert not fresh(user).has_perm("annotate.review_claim")
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 403


def test_the_site_asks_this_backend_alone(settings):
    # Beside ModelBackend, a refused permission would be read twice more.
    assert "config.permissions.PermissionBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


def _account_reads(client, path: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # The account's own row (its password hash is read only then) and any reading of permissions.
    return [q["sql"] for q in queries if "auth_permission" in q["sql"] or '"auth_user"."password"' in q["sql"]]


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_a_signed_in_page_reads_the_account_with_its_permissions_in_one_statement(client, role):
    client.force_login(make_user(role=role))
    (statement,) = _account_reads(client, "/dashboard/")
    assert "auth_permission" in statement and 'FROM "auth_user"' in statement


def test_a_token_reads_its_account_with_its_permissions_in_one_statement():
    from django.test import Client

    from api.models import ApiToken

    editor = make_user(role="editor")
    _, raw = ApiToken.issue(user=editor)
    (statement,) = _account_reads(Client(headers={"Authorization": f"Bearer {raw}"}), "/api/sources")
    assert "auth_permission" in statement and "api_apitoken" in statement


def test_the_permissions_read_with_the_account_are_those_django_reads(client):
    """For every role, its own permissions beside its groups', a superuser's (all) and an inactive one's."""
    reviewer = make_user(role="reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="review_claim"))
    boss = get_user_model().objects.create_superuser("boss", password="pw-for-tests-only")
    for user in (reviewer, make_user(role="editor"), make_user(role=None), boss):
        account = PermissionBackend().get_user(str(user.pk))
        assert account.get_all_permissions() == ModelBackend().get_all_permissions(fresh(user))
    gone = make_user(role="editor")
    gone.is_active = False
    gone.save()
    assert PermissionBackend().get_user(gone.pk) is None
    assert PermissionBackend().get_user("not a number") is None
    assert PermissionBackend().get_user(str(2**70)) is None  # beyond any database's integers
