"""A synthetic corpus for benchmarks and load tests: articles and their claims, added to the database.

A library that the suite and the step scripts call once Django is set up (`synthetic.generate(...)`), and
a command line that sets Django up itself, on DATABASE_URL as the app would:

    .venv/bin/python bench/synthetic.py --articles 10000 --claims-per-article 100

Each article has about 3,000 characters of English, Hangul and emoji; its claims are of every kind and
review status, nested and overlapping, most naming a source (some sensitive, a quarter with an alias) and
linked to a fact (25 pairs of facts contradict each other), by eight annotators. Additive: every run adds
new articles and claims; the outlets, sources, facts and accounts it draws on are created once and reused.
It refuses to run when DEBUG is off unless forced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
from pathlib import Path

if __name__ == "__main__":  # the command line: set Django up before the app's models are imported
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

# ruff: noqa: E402
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from annotate.models import Claim, Fact, ProvenanceKind, Source, SourceAlias
from annotate.spans import context
from corpus.importing import sha256
from corpus.models import Article, Outlet

PREFIX = "synthetic"
ARTICLE_SLUG = re.compile(rf"{PREFIX}-(\d+)")
OUTLETS, SOURCES, FACTS, ANNOTATORS = 20, 300, 200, 8
TEXT_LENGTH = 3_000  # code points, about
MAX_PER_ARTICLE = 1_000
BATCH = 500  # articles per round: their claims are written before the next round is made
# Sentences the articles are made of: English, Hangul, emoji (astral code points), quotes, commas, and
# openings a spreadsheet would take for a formula, so that every export path meets them.
SENTENCES = [
    "The central election committee said turnout was 99.63% across the country.",
    "KCNA reported that 0.09% of voters in the provincial assemblies voted against the candidates.",
    "A resident of Hyesan, speaking by phone, said nobody dared to use the red box.",
    '"It is impossible to vote against," a source in North Hamgyong told the reporter.',
    "Analysts at the institute said the figures were meant for an audience abroad.",
    "South Korea's unification ministry declined to comment on the reported numbers.",
    "According to Yonhap, the results were announced two days after the vote.",
    "Some experts caution that the dissenting votes may have been staged.",
    "A defector who left in 2019 described how officials watched each booth.",
    "The outlet's own review of the broadcast found no footage of a contested count.",
    "Rumors spread, a trader said, that the vote had been moved up by a week.",
    "Officials in Pyongyang, Kaesong and Nampo reported the same figure, to the decimal.",
    "조선중앙통신은 투표율이 99.63%라고 보도했다.",
    "주민들은 반대표를 던지는 것은 불가능하다고 말했다.",
    "전문가들은 이번 선거 결과가 대외 선전용이라고 분석했다.",
    "Turnout was reported at 99.63% 🗳️ in every county.",
    "One voter sent a single emoji 😐 when asked how it went.",
    "📈 The figure rose again in the second round, the agency said.",
    "+82 was the country code on the number the source called from.",
    "-- an aside in the broadcast -- the anchor repeated the figure twice.",
    "@KCNA_Watch posted the figure first, before the agency did.",
    "=The spreadsheet the ministry released began with a formula.",
    'Reporters were told, in writing, that "questions are not permitted."',
]
KIND_WEIGHTS = {
    "state_media": 24,
    "news_agency": 18,
    "outlet_reporting": 16,
    "in_country_informant": 10,
    "expert": 8,
    "think_tank": 7,
    "foreign_government": 7,
    "unsourced_quote": 6,
    "defector_testimony": 4,
}
SENSITIVE_KINDS = {"in_country_informant", "defector_testimony"}
NOTES = [
    "Checked against the original release.",
    'Quoted as "impossible", with a comma, in the original.',
    "Two lines in the source:\nthe first one, and the second.",
    '=HYPERLINK("https://example.org") was pasted here by mistake.',
]


class Refused(Exception):
    """The corpus was not generated; the message says why."""


def generate(
    *,
    articles: int,
    claims_per_article: int,
    facts: int = FACTS,
    sources: int = SOURCES,
    seed: int = 1,
    force: bool = False,
    progress: bool = True,
) -> int:
    """Add `articles` synthetic articles with `claims_per_article` claims each; the number of claims added."""
    if not settings.DEBUG and not force:
        raise Refused("DEBUG is off: this looks like production. Pass --force to add synthetic data anyway.")
    if articles < 0 or claims_per_article < 0:
        raise Refused("--articles and --claims-per-article must not be negative.")
    if facts < 1 or sources < len(KIND_WEIGHTS):
        raise Refused(f"At least 1 fact and {len(KIND_WEIGHTS)} sources (one of each kind).")
    if claims_per_article > MAX_PER_ARTICLE:
        raise Refused(f"At most {MAX_PER_ARTICLE:,} claims per article: the spans of an article run out.")
    generator = Generator(random.Random(seed), facts=facts, sources=sources)
    total = articles * claims_per_article
    bar = tqdm(total=total, unit="claim", unit_scale=True, disable=None if progress else True, leave=False)
    with transaction.atomic(), bar:
        generator.prepare()
        done = 0
        while done < articles:
            batch = generator.articles(min(BATCH, articles - done))
            generator.write_claims(generator.claims(batch, claims_per_article), bar)
            done += len(batch)
        generator.write_relays()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100, metavar="N", help="articles to add (default 100)")
    parser.add_argument("--claims-per-article", type=int, default=100, metavar="M", help="claims per article (100)")
    parser.add_argument("--facts", type=int, default=FACTS, help=f"facts claims link to (default {FACTS})")
    parser.add_argument("--sources", type=int, default=SOURCES, help=f"sources claims name (default {SOURCES})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")
    parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    args = parser.parse_args(argv)
    options = vars(args)
    progress = not options.pop("no_progress")
    try:
        added = generate(**options, progress=progress)
    except Refused as exc:
        print(f"synthetic.py: {exc}", file=sys.stderr)
        return 1
    print(f"added {args.articles:,} articles and {added:,} claims")
    return 0


class Generator:
    """Shared rows (outlets, accounts, sources, facts) made once; articles and claims made in rounds."""

    def __init__(self, rng: random.Random, *, facts: int = FACTS, sources: int = SOURCES):
        self.rng = rng
        self.now = timezone.now()
        self.fact_count, self.source_count = facts, sources

    def prepare(self) -> None:
        """Find or create what every article and claim draws on."""
        self.kinds = list(ProvenanceKind.objects.filter(active=True))
        if not self.kinds:
            raise Refused("No active kinds of source: run migrate first.")
        self.weights = [KIND_WEIGHTS.get(kind.slug, 5) for kind in self.kinds]
        self.outlets = [Outlet.objects.get_or_create(name=f"Synthetic Outlet {i:02d}")[0] for i in range(OUTLETS)]
        self.annotators = [self._account(f"{PREFIX}-annotator-{i:02d}", "reviewer").pk for i in range(ANNOTATORS)]
        self.editor = self._account(f"{PREFIX}-editor", "editor").pk
        self.sources_of = self._sources()
        self.facts = self._facts()
        slugs = Article.objects.filter(slug__startswith=f"{PREFIX}-").values_list("slug", flat=True)
        numbers = (int(m[1]) for slug in slugs if (m := ARTICLE_SLUG.fullmatch(slug)))
        self.next_article = 1 + max(numbers, default=0)

    def _account(self, username: str, group: str):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            if (role := Group.objects.filter(name=group).first()) is not None:
                user.groups.add(role)
        return user

    def _sources(self) -> dict[int, list[int]]:
        wanted = {}
        for i in range(self.source_count):
            kind = self.kinds[i % len(self.kinds)]
            wanted[f"Synthetic {kind.label} source {i:03d}"] = kind
        existing = set(Source.objects.filter(name__in=list(wanted)).values_list("name", flat=True))
        made = Source.objects.bulk_create(
            Source(name=name, kind=kind, sensitive=kind.slug in SENSITIVE_KINDS and self.rng.random() < 0.8)
            for name, kind in wanted.items()
            if name not in existing
        )
        made = Source.objects.filter(name__in=[source.name for source in made[::4]])  # a quarter get an alias
        SourceAlias.objects.bulk_create(
            SourceAlias(source=source, name=f"Also known as {source.name}") for source in made
        )
        sources_of = {kind.pk: [] for kind in self.kinds}
        for pk, kind_id in Source.objects.filter(name__in=list(wanted)).values_list("pk", "kind_id"):
            sources_of[kind_id].append(pk)
        # Affiliation trees for the origin counting: a third of the sources belong to one of ten roots.
        ids = sorted(pk for pks in sources_of.values() for pk in pks)
        roots = ids[:10]
        for i, pk in enumerate(ids[10:]):
            if i % 3 == 0:
                Source.objects.filter(pk=pk, affiliation=None).update(affiliation_id=roots[i % len(roots)])
        return sources_of

    def write_relays(self) -> None:
        """Relay chains for the claims that have none: 30% pass through one relay source, 10% through two."""
        relays = [pk for kind in self.kinds if kind.role == "relay" for pk in self.sources_of[kind.pk]]
        if not relays:
            return
        values = ", ".join(f"({k}, {pk})" for k, pk in enumerate(relays))  # ids: integers we read, not input
        n = len(relays)
        for position, share in ((0, 3), (1, 1)):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"WITH r(k, sid) AS (VALUES {values}) "  # noqa: S608
                    "INSERT INTO annotate_claimrelay (claim_id, position, source_id, proposed) "
                    f"SELECT c.id, {position}, r.sid, '' FROM annotate_claim c "
                    f"JOIN r ON r.k = (c.id + {position}) % {n} "
                    f"WHERE c.id % 10 < {share} AND NOT EXISTS (SELECT 1 FROM annotate_claimrelay x "
                    f"WHERE x.claim_id = c.id AND x.position = {position})"
                )

    def _facts(self) -> list[int]:
        wanted = {
            f"{PREFIX}-fact-{i:04d}": f"Synthetic fact {i:04d}: a figure several reports repeat"
            for i in range(self.fact_count)
        }
        existing = set(Fact.objects.filter(slug__in=list(wanted)).values_list("slug", flat=True))
        Fact.objects.bulk_create(
            Fact(slug=slug, statement=statement) for slug, statement in wanted.items() if slug not in existing
        )
        facts = list(Fact.objects.filter(slug__in=list(wanted)).order_by("slug"))
        for a, b in zip(facts[:50:2], facts[1:50:2], strict=False):  # 25 pairs of facts that contradict each other
            a.conflicts.add(b)
        return [fact.pk for fact in facts]

    def articles(self, n: int) -> list[tuple[Article, list[tuple[int, int]]]]:
        """n new articles, saved, each with the (start, end) of its sentences."""
        made = []
        for _ in range(n):
            number = self.next_article
            self.next_article += 1
            text, sentences = self._text(number)
            article = Article(
                slug=f"{PREFIX}-{number:06d}",
                title=f"Synthetic report {number:06d}",
                outlet=self.outlets[int(OUTLETS * self.rng.random() ** 1.5)],
                published=dt.date(2023, 1, 1) + dt.timedelta(days=self.rng.randrange(1_000)),
                source_url=f"https://news.example/{PREFIX}/{number:06d}" if number % 2 else "",
                language="en",
                text=text,
                text_sha256=sha256(text),
            )
            made.append((article, sentences))
        Article.objects.bulk_create([article for article, _ in made])
        if any(article.pk is None for article, _ in made):  # a database that does not return ids from bulk inserts
            pks = dict(Article.objects.filter(slug__in=[a.slug for a, _ in made]).values_list("slug", "pk"))
            for article, _ in made:
                article.pk = pks[article.slug]
        return made

    def _text(self, number: int) -> tuple[str, list[tuple[int, int]]]:
        """About TEXT_LENGTH code points of paragraphs, and where each sentence lies in them."""
        parts, sentences, length = [], [], 0
        head = f"Synthetic report {number:06d}.\n\n"
        parts.append(head)
        length += len(head)
        while length < TEXT_LENGTH:
            for i in range(self.rng.randint(2, 5)):
                if i:
                    parts.append(" ")
                    length += 1
                sentence = self.rng.choice(SENTENCES)
                sentences.append((length, length + len(sentence)))
                parts.append(sentence)
                length += len(sentence)
            parts.append("\n\n")
            length += 2
        return "".join(parts).rstrip("\n"), sentences

    def _span(self, text: str, sentences: list[tuple[int, int]]) -> tuple[int, int]:
        """A sentence, part of one (nested in it), or two in a row (overlapping their neighbours)."""
        i = self.rng.randrange(len(sentences))
        start, end = sentences[i]
        roll = self.rng.random()
        if roll < 0.15 and i + 1 < len(sentences):
            end = sentences[i + 1][1]
        elif roll < 0.45:
            cut = text.find(" ", start + (end - start) // 3, end - 1)
            if cut > start:
                end = cut if roll < 0.30 else end
                start = start if roll < 0.30 else cut + 1
        return start, end

    def claims(self, made, per_article: int):
        """Rows of Claim field values, per_article for each article; unique per span, kind and annotator."""
        rng, kinds, weights = self.rng, self.kinds, self.weights
        for article, sentences in made:
            text, seen = article.text, set()
            while len(seen) < per_article:
                start, end = self._span(text, sentences)
                kind = rng.choices(kinds, weights)[0].pk
                annotator = self.annotators[rng.randrange(ANNOTATORS)]
                if (start, end, kind, annotator) in seen:
                    continue
                seen.add((start, end, kind, annotator))
                prefix, suffix = context(text, start, end)
                sources = self.sources_of[kind]
                roll = rng.random()
                status = (
                    "pending"
                    if roll < 0.5
                    else "accepted"
                    if roll < 0.85
                    else "rejected"
                    if roll < 0.93
                    else "changes_requested"
                )
                reviewed = status != "pending"
                created = self.now - dt.timedelta(seconds=rng.randrange(1, 90 * 86_400))
                yield {
                    "article_id": article.pk,
                    "start": start,
                    "end": end,
                    "exact": text[start:end],
                    "prefix": prefix,
                    "suffix": suffix,
                    "kind_id": kind,
                    "source_id": rng.choice(sources) if sources and rng.random() < 0.7 else None,
                    "directness": rng.choice(Claim.Directness.values) if rng.random() < 0.6 else "",
                    "fact_id": self.facts[int(len(self.facts) * rng.random() ** 2)] if rng.random() < 0.7 else None,
                    "note": rng.choice(NOTES) if rng.random() < 0.1 else "",
                    "annotator_id": annotator,
                    "status": status,
                    "reviewer_id": self.editor if reviewed else None,
                    "reviewed_at": created + dt.timedelta(hours=rng.randint(1, 72)) if reviewed else None,
                    "review_reason": rng.choice(Claim.Reason.values)
                    if status in ("rejected", "changes_requested")
                    else "",
                    "review_note": "Please check the span." if status == "changes_requested" else "",
                    "version": 1,
                    "created": created,
                    "updated": created,
                }

    def write_claims(self, claims, bar) -> None:
        """COPY on PostgreSQL, executemany elsewhere. Columns not set here get their model default."""
        fields = [f for f in Claim._meta.concrete_fields if not f.primary_key]
        columns = [f.column for f in fields]
        defaults = {f.attname: f.get_default() for f in fields}
        names = [f.attname for f in fields]
        table = connection.ops.quote_name(Claim._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        rows = ([claim.get(name, defaults[name]) for name in names] for claim in self._counted(claims, bar))
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            batch = []
            for row in rows:
                batch.append([f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)])
                if len(batch) == 5_000:
                    cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)  # noqa: S608
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", batch)  # noqa: S608

    @staticmethod
    def _counted(claims, bar):
        """The claims, moving the progress bar every thousand (a call per claim would cost more than the claim)."""
        n = 0
        for claim in claims:
            yield claim
            n += 1
            if n == 1_000:
                bar.update(n)
                n = 0
        bar.update(n)


if __name__ == "__main__":
    sys.exit(main())
