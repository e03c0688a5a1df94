from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from tqdm import tqdm

from annotate.masking import Mask
from annotate.models import Claim
from config import replica
from interchange import copying, export

FORMATS = ("csv", "jsonl", "w3c")


def default_base_url() -> str:
    """The site's address for W3C ids: the first trusted origin in production, the development server otherwise."""
    origins = getattr(settings, "CSRF_TRUSTED_ORIGINS", [])
    return origins[0].rstrip("/") if origins else "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Export tagged claims, one record per claim, as CSV, JSON Lines or a W3C Web Annotation collection "
        "(JSON-LD), with the dashboard's filters. Every status is exported unless --status says otherwise. "
        "Sensitive sources are written as pseudonyms ('Protected source 3') and their names redacted from free "
        "text, unless --include-sensitive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default), jsonl or w3c")
        parser.add_argument(
            "--output", "-o", type=Path, metavar="FILE", help="file to write (default: standard output)"
        )
        parser.add_argument("--bom", action="store_true", help="CSV: start with a byte-order mark, for Excel")
        parser.add_argument(
            "--include-sensitive",
            action="store_true",
            help="write the names of sensitive sources instead of hiding them",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="W3C: the site's address, for annotation ids and articles without a source URL "
            "(default: the first CSRF_TRUSTED_ORIGINS entry, else http://127.0.0.1:8000)",
        )
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")
        filters = parser.add_argument_group("filters (as on the dashboard)")
        filters.add_argument("--kind", action="append", default=[], metavar="SLUG", help="kind of source; repeatable")
        filters.add_argument("--outlet", metavar="ID", help="outlet, by number")
        filters.add_argument("--article", metavar="SLUG", help="one article")
        filters.add_argument(
            "--status",
            metavar="STATUS",
            help="accepted, pending, changes_requested, rejected, with_pending (accepted and pending) or all (default)",
        )
        filters.add_argument("--annotator", metavar="USERNAME", help="claims by this user")
        filters.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="articles published on or after")
        filters.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="articles published on or before")
        filters.add_argument("--fact", metavar="SLUG", help="claims of this fact, or 'none' for claims without one")

    def handle(self, *args, **options):
        with replica.reads():  # from the read replica when DATABASE_REPLICA_URL names one that keeps up
            self._export(options)

    def _export(self, options):
        selection = export.select(self._query(options), Claim.objects.all())
        if selection.errors:
            raise CommandError(" ".join(selection.errors))
        claims, progress = selection.claims, not options["no_progress"]
        mask = Mask.for_reader(reveal=options["include_sensitive"])
        if options["format"] == "w3c":
            base_url = (options["base_url"] or default_base_url()).rstrip("/")
            items = self._progress(export.annotations(claims, mask=mask, base_url=base_url), claims, progress)
            chunks = export.jsonld_chunks(items, base_url=base_url, query=selection.query)
        elif copying.available(claims):  # PostgreSQL writes the CSV or JSON Lines itself
            write = copying.csv_chunks if options["format"] == "csv" else copying.jsonl_chunks
            extra = {"bom": options["bom"]} if options["format"] == "csv" else {}
            chunks = write(claims, mask=mask, **extra)
        elif options["format"] == "csv":
            lines = self._progress(export.csv_lines(claims, mask=mask), claims, progress)
            chunks = export.csv_chunks(lines, bom=options["bom"])
        else:
            chunks = export.jsonl_chunks(self._progress(export.rows(claims, mask=mask), claims, progress))
        self._write(chunks, options["output"])
        if options["verbosity"] >= 1 and options["output"] is not None and options["output"].is_file():
            self.stderr.write(f"written to {options['output']}")

    @staticmethod
    def _query(options) -> QueryDict:
        """The command's filter flags as the query string the web export reads."""
        query = QueryDict(mutable=True)
        query.setlist("kind", options["kind"])
        for key, option in (
            ("outlet", "outlet"),
            ("article", "article"),
            ("status", "status"),
            ("annotator", "annotator"),
            ("from", "date_from"),
            ("to", "date_to"),
            ("fact", "fact"),
        ):
            if options[option] is not None:
                query[key] = options[option]
        return query

    def _progress(self, records, claims, wanted: bool):
        """The records, counted on a progress bar when standard error is a terminal (the count costs a query)."""
        if not wanted or not self.stderr.isatty():
            return records
        total = claims.count()
        return tqdm(records, total=total, unit="claim", unit_scale=True, file=self.stderr._out, leave=False)

    def _write(self, chunks, output: Path | None) -> None:
        """Text chunks, or bytes (UTF-8) from the COPY path."""
        if output is None:
            for chunk in chunks:
                self.stdout.write(chunk.decode() if isinstance(chunk, bytes) else chunk, ending="")
            return
        try:
            with output.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
        except BaseException:
            if output.is_file():
                output.unlink()  # half a file would pass for a complete export
            raise
