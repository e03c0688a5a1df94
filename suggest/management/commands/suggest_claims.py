import json

from django.core.management.base import BaseCommand, CommandError

from corpus.models import Article
from suggest.reading import Reader, present, registry


class Command(BaseCommand):
    help = (
        "Print the claims the suggestion engine proposes (untagged, undismissed), one JSON object a line or as a "
        "table. Sensitive sources are written as pseudonyms unless --include-sensitive. Nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--article", action="append", default=[], metavar="SLUG", help="an article; repeatable")
        parser.add_argument("--format", choices=("jsonl", "table"), default="jsonl", help="jsonl (default) or table")
        parser.add_argument(
            "--include-sensitive", action="store_true", help="write the names of sensitive sources instead"
        )

    def handle(self, *args, **options):
        articles = Article.objects.order_by("pk")
        if options["article"]:
            articles = articles.filter(slug__in=options["article"])
            missing = set(options["article"]) - set(articles.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No article has the slug {', '.join(sorted(missing))}.")
        reader = Reader.command_line(reveal=options["include_sensitive"])
        gazetteer = registry(reveal=reader.mask.reveal)
        for article in articles.iterator():
            for card in present(article, reader, gazetteer):
                row = card.as_json(article.slug)
                del row["facts"], row["key"], row["engine"]
                if options["format"] == "jsonl":
                    self.stdout.write(json.dumps(row, ensure_ascii=False))
                else:
                    exact = card.exact if len(card.exact) <= 60 else card.exact[:59] + "…"
                    self.stdout.write(
                        f"{article.slug[:30]:30}  {card.start:>6}-{card.end:<6}  {card.kind.slug:22}  "
                        f"{(card.source or '-')[:28]:28}  {card.score:.2f}  {exact}"
                    )
