from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from corpus.importing import MAX_BYTES, Candidate, ImportProblem, Result, collect, import_file, read_limited
from ingest.extract import kind_of
from ingest.importing import import_document, import_url
from ingest.saving import same_url

PROGRESS_FROM = 20  # files; fewer finish before a bar would be any use


class Command(BaseCommand):
    help = (
        "Import articles from UTF-8 text, HTML and PDF files, folders of them, or http(s) URLs. A "
        "manifest.toml in a folder, or --manifest, gives title, outlet, author, published, source_url and "
        "language per file; otherwise they are extracted or guessed. Re-importing the same text changes "
        "nothing; a changed text from the same canonical URL becomes a new revision of its article."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH|URL")
        parser.add_argument("--manifest", type=Path, help="manifest.toml to use for every file")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            metavar="N",
            help=f"refuse files larger than N bytes (default {MAX_BYTES:,})",
        )
        parser.add_argument(
            "--editor",
            metavar="USERNAME",
            help="the editor credited in the audit trail when a new revision moves or orphans claims",
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def _editor(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--editor: no account named {username!r}")
        if not user.has_perm("corpus.add_article"):
            raise CommandError(f"--editor: {username!r} is not an editor (may not add articles)")
        return user

    def _one(self, item, *, max_bytes: int, editor) -> Result:
        if isinstance(item, str):
            return import_url(item, actor=editor)
        if kind_of(item.path.name) == "text" and not same_url((item.meta.get("source_url") or "").strip()):
            return import_file(item, max_bytes=max_bytes)
        # HTML, PDF, and a text file whose manifest gives a stored article's address: a changed text of it is
        # a new revision, as the help says, not a second article with the same address.
        try:
            data = read_limited(item.path, max_bytes)
        except ImportProblem as exc:
            return Result(item.path, "failed", reason=str(exc))
        except OSError as exc:
            return Result(item.path, "failed", reason=exc.strerror or str(exc))
        return import_document(item, data, actor=editor)

    def handle(self, *args, paths, manifest=None, max_bytes=MAX_BYTES, no_progress=False, verbosity=1, **options):
        if max_bytes < 1:
            raise CommandError("--max-bytes must be at least 1")
        editor = self._editor(options.get("editor"))
        urls = [p for p in paths if p.lower().startswith(("http://", "https://"))]
        files = [Path(p) for p in paths if p not in urls]
        candidates, failures = collect(files, manifest) if files else ([], [])
        counts = {"created": 0, "revised": 0, "unchanged": 0, "failed": 0}
        for failure in failures:
            self.stderr.write(f"error: {failure.path}: {failure.reason}")
            counts["failed"] += 1
        items: list[Candidate | str] = [*candidates, *urls]
        bar = tqdm(
            items, unit="item", disable=no_progress or len(items) < PROGRESS_FROM, file=self.stderr._out, leave=False
        )
        for item in bar:
            result = self._one(item, max_bytes=max_bytes, editor=editor)
            counts[result.status] += 1
            if result.status == "failed":
                bar.write(f"error: {result.path}: {result.reason}", file=self.stderr._out)
            elif verbosity >= 1:
                article = result.article
                message = f"{result.status:9} {result.path} -> {article.slug}"
                if result.status == "created":
                    message += f" ({len(article.text):,} characters)"
                elif result.reason:
                    message += f" ({result.reason})"
                bar.write(self.style.SUCCESS(message) if result.status == "created" else message, file=self.stdout._out)
        summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n or status != "revised")
        if counts["failed"]:
            raise CommandError(f"{summary}")
        if verbosity >= 1:
            self.stdout.write(summary)
