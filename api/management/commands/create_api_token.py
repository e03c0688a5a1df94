import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print it. It is shown this once: only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, shown in the admin site")
        parser.add_argument("--days", type=int, help="expire after this many days (default: never)")

    def handle(self, *args, username, name, days, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user is called “{username}”.")
        if not user.is_active:
            raise CommandError(f"“{username}” is inactive: a token of theirs would not work.")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        token, raw = ApiToken.issue(user=user, name=name, expires=expires)
        # The token alone on stdout, so that TOKEN=$(manage.py create_api_token ...) works.
        self.stdout.write(raw)
        until = f" until {expires:%Y-%m-%d %H:%M %Z}" if expires else ""
        self.stderr.write(
            f"Token {token.prefix}… for {username}{until}. Store it now: it cannot be shown again.",
            style_func=str,
        )
