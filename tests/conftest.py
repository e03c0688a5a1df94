import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real logins, without spending a third of a second hashing each test user's password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
