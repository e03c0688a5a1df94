from django.core.management.base import BaseCommand, CommandError

from demo.loading import DemoError, load


class Command(BaseCommand):
    help = (
        "Load the demo annotations of the seed corpus (sources, facts and claims by the 'demo' account). "
        "Idempotent; creates only what is missing and never changes anything else."
    )

    def handle(self, *args, **options):
        try:
            report = load()
        except DemoError as exc:
            raise CommandError(f"demo annotations not loaded: {exc}") from None
        for reason in report.skipped[:5]:
            self.stderr.write(f"skipped: {reason}")
        self.stdout.write(f"demo annotations: {report.created} claims created, {report.unchanged} already there")
