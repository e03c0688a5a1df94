"""Bearer tokens for the JSON API: only a hash of each token is stored."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.lookups import unique

PREFIX_LENGTH = 8
LAST_USED_PRECISION = 60  # seconds: a busy script does not write the token row on every request


def hash_token(raw: str) -> str:
    """SHA-256 of the raw token, as stored and looked up: a leaked table does not leak usable tokens."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that still authenticate: not revoked, not expired, their user still active."""
        return self.filter(
            Q(expires__isnull=True) | Q(expires__gt=timezone.now()), revoked__isnull=True, user__is_active=True
        )


class ApiToken(models.Model):
    """A secret that lets a script act as its user, until it is revoked or expires."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False, help_text="The token's first characters.")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name or 'token'} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str = "", expires=None) -> tuple["ApiToken", str]:
        """A new token for `user` and its raw value, which exists only in this return value."""
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_token(raw), prefix=raw[:PREFIX_LENGTH], expires=expires
        )
        return token, raw

    @classmethod
    def user_for(cls, raw: str):
        """The active user a usable token belongs to, or None; notes when the token was used."""
        token = unique(cls.objects.usable().select_related("user").filter(key_hash=hash_token(raw)))
        if token is None:
            return None
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > LAST_USED_PRECISION:
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user
