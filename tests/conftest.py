import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real logins, without spending a third of a second hashing each test user's password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def migrated_kinds(transactional_db):
    """Kinds and groups, which a transactional test's flush removes (tests on several connections need it)."""
    from tests.factories import seed_migrated_rows

    seed_migrated_rows()


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache, which outlives a test: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def rita(db):
    """A reviewer."""
    from tests.factories import make_user

    return make_user("rita")


@pytest.fixture
def reviewer(client, rita):
    """A reviewer, signed in on `client`."""
    client.force_login(rita)
    return rita


@pytest.fixture
def editor(db):
    """An editor."""
    from tests.factories import make_user

    return make_user("ed", role="editor")
