"""The reading view sends a long article a window at a time (annotate/reading.py): the first passages of its
body and the first claims of its sidebar, the rest through htmx, with links that work without it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotate.models import Claim, ProvenanceKind
from annotate.reading import SIDEBAR, WINDOW
from annotate.services import register_source
from annotate.spans import passages

from .factories import kind, make_article, make_claim, make_user
from .test_reading import text_content

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
PARAGRAPHS = [
    f"Paragraph {i}: district {i} reported {i * 7} ballots, counted again at station {i}." for i in range(400)
]
TEXT = "\n\n".join(PARAGRAPHS)


@pytest.fixture
def article():
    return make_article(TEXT, title="A long count")


def at(i: int) -> tuple[int, int]:
    start = TEXT.index(PARAGRAPHS[i])
    return start, start + len(PARAGRAPHS[i])


def gaps(html: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r'class="passage-gap"[^>]*data-from="(\d+)" data-to="(\d+)"', html)]


def passages_url(article, **query):
    url = reverse("annotate:article_passages", args=[article.slug])
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_page_sends_the_first_passages_and_a_gap_for_the_rest(client, reviewer, article):
    page = client.get(article.get_absolute_url()).content.decode()
    shown = text_content(page)
    assert WINDOW <= len(shown) < len(TEXT) and TEXT.startswith(shown)
    assert gaps(page) == [(len(shown), len(TEXT))]
    assert f'href="{article.get_absolute_url()}?from={len(shown)}#passage-{len(shown)}"' in page
    assert any(a == len(shown) for a, _ in passages(TEXT))  # a gap begins where a passage does


def test_a_short_article_is_sent_whole(client, reviewer):
    article = make_article("A short report.\n\nNothing more.", title="Short")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "passage-gap" not in page and text_content(page) == article.text


def test_a_gap_loads_a_window_of_its_passages_and_a_gap_for_what_remains(client, reviewer, article):
    first = gaps(client.get(article.get_absolute_url()).content.decode())[0]
    fragment = client.get(passages_url(article, **{"from": first[0], "to": first[1]}), headers=HTMX).content.decode()
    shown = text_content(f'<div id="x">{fragment}</div>', "x")
    assert TEXT[first[0] :].startswith(shown) and len(shown) >= WINDOW
    assert gaps(fragment) == [(first[0] + len(shown), len(TEXT))]
    # From the passage holding ?at=, with a gap before it too.
    start, _ = at(300)
    fragment = client.get(passages_url(article, **{"from": first[0], "to": first[1], "at": start}), headers=HTMX)
    html = fragment.content.decode()
    (before, after) = gaps(html)
    assert before[0] == first[0] and before[1] <= start < after[0] and PARAGRAPHS[300] in html


def test_a_claim_is_looked_for_only_among_those_the_reader_may_see(client, reviewer, article):
    start, end = at(300)
    mine = make_claim(article, start, end, annotator=reviewer)
    first = gaps(client.get(article.get_absolute_url()).content.decode())[0]
    found = client.get(passages_url(article, **{"from": first[0], "to": first[1], "claim": mine.pk}), headers=HTMX)
    assert f'id="claim-{mine.pk}"' in found.content.decode()
    # On an independently tagged article another reviewer's pending claim is hidden: the gap comes back as it was.
    article.independent = True
    article.save()
    other = make_claim(article, *at(250), annotator=make_user("olga"))
    hidden = client.get(passages_url(article, **{"from": first[0], "to": first[1], "claim": other.pk}), headers=HTMX)
    missing = client.get(passages_url(article, **{"from": first[0], "to": first[1], "claim": 99999}), headers=HTMX)
    assert hidden.content == missing.content and gaps(hidden.content.decode()) == [first]


def test_without_htmx_a_gap_leads_to_the_page_at_that_passage(client, reviewer, article):
    start, _ = at(300)
    lo = next(a for a, b in passages(TEXT) if a <= start < b)
    response = client.get(passages_url(article, **{"from": start}))
    assert response.status_code == 302 and response.url == f"{article.get_absolute_url()}?from={lo}#passage-{lo}"
    page = client.get(f"{article.get_absolute_url()}?from={lo}").content.decode()
    assert f'id="passage-{lo}"' in page and gaps(page)[0] == (0, lo)
    assert text_content(page).startswith(TEXT[lo : lo + 100])


def test_the_sidebar_lists_the_first_claims_and_the_next_ones_after_them(client, reviewer, article):
    claims = [make_claim(article, *at(i), annotator=reviewer) for i in range(SIDEBAR + 7)]
    page = client.get(article.get_absolute_url()).content.decode()
    listed = [int(n) for n in re.findall(r'<li id="item-(\d+)">', page)]
    assert listed == [c.pk for c in claims[:SIDEBAR]]
    assert f'<span class="count" id="claims-count">{SIDEBAR + 7}</span>' in page
    last = claims[SIDEBAR - 1]
    cursor = f"{last.start}.{last.end}.{last.pk}"
    assert f'?after={cursor}#claims-title" hx-get="' in page
    more = client.get(reverse("annotate:article_claims", args=[article.slug]), {"after": cursor}, headers=HTMX)
    html = more.content.decode()
    assert [int(n) for n in re.findall(r'<li id="item-(\d+)">', html)] == [c.pk for c in claims[SIDEBAR:]]
    assert '<ol hx-swap-oob="beforeend:#claim-list">' in html and 'id="claims-more"></p>' in html  # the end
    # Without htmx: the page, its sidebar starting after the cursor, and a way back to the first claims.
    plain = client.get(f"{article.get_absolute_url()}?after={cursor}").content.decode()
    assert [int(n) for n in re.findall(r'<li id="item-(\d+)">', plain)] == [c.pk for c in claims[SIDEBAR:]]
    assert "Show the first claims" in plain


def test_later_windows_mask_sensitive_sources_like_the_page(client, reviewer, article):
    for i in range(SIDEBAR):
        make_claim(article, *at(i), annotator=reviewer)
    secret = make_claim(article, *at(300), kind_slug="in_country_informant", annotator=make_user("olga"))
    Claim.objects.filter(pk=secret.pk).update(
        source=register_source(name="Kim Chol-su", kind=kind("in_country_informant"), sensitive=True)
    )
    first = gaps(client.get(article.get_absolute_url()).content.decode())[0]
    url = passages_url(article, **{"from": first[0], "to": first[1], "at": secret.start})
    fragment = client.get(url, headers=HTMX)
    last = Claim.objects.order_by("start", "-end", "pk")[SIDEBAR - 1]
    sidebar = client.get(
        reverse("annotate:article_claims", args=[article.slug]),
        {"after": f"{last.start}.{last.end}.{last.pk}"},
        headers=HTMX,
    )
    for html in (fragment.content.decode(), sidebar.content.decode()):
        assert f"claim-{secret.pk}" in html and "Kim Chol" not in html and "Protected source" in html
    client.force_login(make_user("ed", role="editor"))
    assert "Kim Chol-su" in client.get(url, headers=HTMX).content.decode()


def test_the_page_of_a_long_article_costs_the_same_queries_with_many_claims(client, reviewer):
    counts, kinds = {}, list(ProvenanceKind.objects.all())
    for n in (0, 1, 400):
        article = make_article(TEXT + f" {n}", title=f"Count {n}")
        Claim.objects.bulk_create(
            Claim(article=article, start=s, end=e, exact=article.text[s:e], kind=kinds[i % 9], annotator=reviewer)
            for i, (s, e) in enumerate(at(i) for i in range(n))
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(article.get_absolute_url()).content.decode()
        assert f'id="claims-count">{n}<' in page
        counts[n] = len(queries)
    assert counts[0] == counts[1] == counts[400], counts


def test_a_rendered_body_is_reused_only_for_readers_who_are_drawn_the_same(client, reviewer, article):
    from annotate.reading import BODIES, Rendered

    secret = make_claim(article, *at(2), kind_slug="in_country_informant", annotator=make_user("olga"))
    source = register_source(name="Kim Chol-su", kind=kind("in_country_informant"), sensitive=True)
    Claim.objects.filter(pk=secret.pk).update(source=source)
    BODIES.clear()
    editor = make_user("ed", role="editor")
    for first, then in ((editor, reviewer), (reviewer, editor)):  # whichever way round the memory is filled
        client.force_login(first)
        client.get(article.get_absolute_url())
        client.force_login(then)
        page = client.get(article.get_absolute_url()).content.decode()
        body = page[page.index('id="article-text"') : page.index('class="side"')]
        assert ("Kim Chol-su" in body) == (then == editor) and ("Protected source" in body) == (then == reviewer)
    # A change to what is drawn is another key: nothing to invalidate.
    source.sensitive = False
    source.name = "Kim Chol-su (retired)"
    source.save()
    client.force_login(reviewer)
    assert "Kim Chol-su (retired)" in client.get(article.get_absolute_url()).content.decode()
    # Bounded: the oldest bodies go first.
    memory = Rendered(entries=2)
    for lo in (0, 10, 20):
        memory.get(TEXT, [], lo, lo + 5)
    assert len(memory.bodies) == 2 and [k[1] for k in memory.bodies] == [10, 20]
