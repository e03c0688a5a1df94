"""How PostgreSQL answers the queries every page repeats, once there are many articles: by an index, not by
reading every row. A plan that scans a whole table costs nothing on a test's few rows and seconds on a desk's
corpus, so the plans are checked on a corpus large enough for the planner to tell the two apart."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef

from annotate.filters import ARTICLE_CHOICES
from annotate.models import Claim
from corpus.importing import sha256
from corpus.models import Article
from tests.factories import kind, make_article, make_claim, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def many_articles():
    texts = [f"Report {n}: the voter turnout was 99.63%." for n in range(5_000)]
    Article.objects.bulk_create(
        Article(slug=f"bulk-{n}", title=f"Bulk {n}", text=text, text_sha256=sha256(text), independent=n % 500 == 0)
        for n, text in enumerate(texts)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE corpus_article")


def test_a_reviewers_claims_of_an_article_do_not_read_every_article(many_articles):
    """A reviewer may not see others' unreviewed claims on articles tagged independently: which articles
    those are is read from a partial index of the few, not from all 5,000 articles for every claim query."""
    reviewer = make_user()
    article = make_article()
    make_claim(article, 4, 20, annotator=reviewer)
    visible = Claim.objects.visible_to(reviewer).filter(article=article)
    assert "corpus_article" in str(visible.query)  # the rule is applied, so the plan below is about it
    found = plan(visible)
    assert "Seq Scan on corpus_article" not in found, found
    assert "article_independent" in found, found


def test_the_newest_articles_are_read_in_order_from_an_index(many_articles):
    """The articles list and every filter form offer the newest articles first: a page reads them from the
    listing index rather than sorting all 5,000 for each request."""
    annotator, state_media = make_user(), kind("state_media")
    Claim.objects.bulk_create(  # a claim on every article, as in a desk's archive
        Claim(article=article, start=0, end=6, exact="Report", kind=state_media, annotator=annotator)
        for article in Article.objects.all()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotate_claim")
    offered = Article.objects.filter(Exists(Claim.objects.filter(article=OuterRef("pk")))).values_list("slug")
    for queryset in (Article.objects.all()[:50], offered[:ARTICLE_CHOICES]):
        found = plan(queryset)
        assert "article_listing" in found, found
        assert "Sort" not in found, found
