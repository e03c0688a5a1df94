from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from annotate.roles import EDITOR, REVIEWER

DEMO_USERS = [
    # username, password, group, may use the admin site
    ("reviewer", "reviewer", REVIEWER, False),
    ("editor", "editor", EDITOR, True),
]


class Command(BaseCommand):
    help = "Create the demo accounts 'reviewer' and 'editor' (development only: refused when DEBUG is off)."

    def add_arguments(self, parser):
        parser.add_argument("--address", default="http://127.0.0.1:8000/", help="address to print for the demo")

    def handle(self, *args, address, **options):
        if not settings.DEBUG:
            raise CommandError("Demo accounts have well-known passwords: they are never created when DEBUG is off.")
        User = get_user_model()
        for username, password, group_name, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = staff
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
        self.stdout.write(f"\nOpen {address} and sign in as:")
        for username, password, group_name, _ in DEMO_USERS:
            self.stdout.write(f"  {username:9} password {password:9} ({group_name})")
        self.stdout.write("")
