from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from corpus.importing import MAX_BYTES, collect, import_file

PROGRESS_FROM = 20  # files; fewer finish before a bar would be any use


class Command(BaseCommand):
    help = (
        "Import UTF-8 text files (or folders of them) as articles. A manifest.toml in a folder, or "
        "--manifest, gives title, outlet, author, published, source_url and language per file; "
        "otherwise they are guessed from the text. Re-importing the same text changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--manifest", type=Path, help="manifest.toml to use for every file")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            metavar="N",
            help=f"refuse files larger than N bytes (default {MAX_BYTES:,})",
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def handle(self, *args, paths, manifest=None, max_bytes=MAX_BYTES, no_progress=False, verbosity=1, **options):
        if max_bytes < 1:
            raise CommandError("--max-bytes must be at least 1")
        candidates, failures = collect(list(paths), manifest)
        counts = {"created": 0, "unchanged": 0, "failed": 0}
        for failure in failures:
            self.stderr.write(f"error: {failure.path}: {failure.reason}")
            counts["failed"] += 1
        bar = tqdm(
            candidates,
            unit="file",
            disable=no_progress or len(candidates) < PROGRESS_FROM,
            file=self.stderr._out,
            leave=False,
        )
        for candidate in bar:
            result = import_file(candidate, max_bytes=max_bytes)
            counts[result.status] += 1
            if result.status == "failed":
                bar.write(f"error: {result.path}: {result.reason}", file=self.stderr._out)
            elif verbosity >= 1:
                article = result.article
                message = f"{result.status:9} {result.path} -> {article.slug}"
                if result.status == "created":
                    message += f" ({len(article.text):,} characters)"
                bar.write(self.style.SUCCESS(message) if result.status == "created" else message, file=self.stdout._out)
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        if counts["failed"]:
            raise CommandError(f"{summary}")
        if verbosity >= 1:
            self.stdout.write(summary)
