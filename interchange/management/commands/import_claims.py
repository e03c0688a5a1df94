from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from interchange.importing import import_items
from interchange.reading import FileProblem, read


class Command(BaseCommand):
    help = (
        "Import claims from a W3C Web Annotation file (JSON-LD: a collection, a list or one annotation) or from "
        "the JSON Lines export. Each annotation is found in its article (by the target's source URL or slug) and "
        "checked against the text: a quote that moved is found again by its text and context when that is "
        "unambiguous. Annotations that cannot be imported are reported one per line and nothing of them is "
        "stored; the others are. Annotations already there are left alone, so importing twice is harmless."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--annotator",
            metavar="USERNAME",
            help="credit every claim to this existing user, instead of each annotation's creator "
            "(creators not found are created as accounts that cannot sign in)",
        )
        parser.add_argument(
            "--trust-accounts",
            action="store_true",
            help="let the file's creators and reviewers name existing accounts that can sign in; without it, "
            "an annotation crediting such an account is reported and not imported",
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def handle(self, *args, file, annotator=None, trust_accounts=False, no_progress=False, verbosity=1, **options):
        user = None
        if annotator is not None:
            user = get_user_model().objects.filter(username=annotator).first()
            if user is None:
                raise CommandError(f"no user “{annotator}”")
        counts = {"created": 0, "unchanged": 0, "failed": 0}
        bar = tqdm(unit="claim", disable=True if no_progress else None, file=self.stderr._out, leave=False)
        try:
            with bar:
                for outcome in import_items(read(file), annotator=user, trust_accounts=trust_accounts):
                    bar.update()
                    counts[outcome.status] += 1
                    for warning in outcome.warnings:
                        bar.write(f"warning: {outcome.ref}: {warning}", file=self.stderr._out)
                    if outcome.status == "failed":
                        bar.write(f"error: {outcome.ref}: {outcome.reason}", file=self.stderr._out)
                    elif verbosity >= 2:
                        bar.write(f"{outcome.status:9} {outcome.ref}", file=self.stdout._out)
        except FileProblem as exc:
            raise CommandError(f"{exc}; {self._summary(counts)}") from None
        if counts["failed"]:
            raise CommandError(self._summary(counts))
        if verbosity >= 1:
            self.stdout.write(self._summary(counts))

    @staticmethod
    def _summary(counts: dict) -> str:
        return ", ".join(f"{status} {n}" for status, n in counts.items())
