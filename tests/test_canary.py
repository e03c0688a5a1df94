"""The canary crawl: sensitive names planted in every field that can carry one, then every URL fetched
as a reviewer, as an account with no role and as a staff member without the permission; the names must
appear nowhere, in any spelling a page, a download or the API could give them.
"""

import json
import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.text import slugify

from annotate.chains import set_affiliation
from annotate.fact_services import record_verdict
from annotate.models import Claim, Fact, Source, SourceAlias
from annotate.services import create_claim, register_fact, register_source, update_claim
from annotate.source_services import merge_sources
from api.models import ApiToken
from review import services as review

from .crawl import admin_urls, routes, url_for
from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db

# Each canary is one word no article, kind or account contains, so a page that shows any part of a
# sensitive name shows its canary.
NAME, ALIAS, FORMER, HANGUL = "Zqxcanary Alpha", "Wvycanary Beta", "Qqxcanary Gamma", "캐너리감마"
CANARIES = ["zqxcanary", "wvycanary", "qqxcanary", HANGUL]
TEXT = "The turnout was 99.63%, the KCNA said. Nobody voted against, a resident said. Analysts doubt it."
UNTAGGED = "The turnout was 99.63 percent in the vote, the KCNA said on Monday. Public Wire said that it was staged."
W3C = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def spellings(canary: str) -> list[str]:
    """How a canary could appear in a response body: as is, any case, escaped for JSON or a URL."""
    escaped = json.dumps(canary)[1:-1]
    return sorted({canary.lower(), escaped.lower(), quote(canary).lower(), slugify(canary)} - {""})


def leaks(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace").lower()
    return [canary for canary in CANARIES if any(form in text for form in spellings(canary))]


@pytest.fixture
def world():
    """A desk where an editor has recorded sensitive sources and used their names everywhere."""
    editor = make_user("edna", role="editor")
    rita = make_user("rita")  # another reviewer, whose own text the crawler must not see either
    article = make_article(TEXT, title="Turnout report")
    hidden = make_article(TEXT + " Again.", title="Independent report", independent=True)
    informant = register_source(name=NAME, kind=kind("in_country_informant"), sensitive=True)
    SourceAlias.objects.create(source=informant, name=ALIAS)
    SourceAlias.objects.create(source=informant, name=HANGUL)
    Source.objects.filter(pk=informant.pk).update(description=f"{NAME}, reached by phone")
    former = register_source(name=FORMER, kind=kind("in_country_informant"), sensitive=True)
    wire = register_source(name="Public Wire", kind=kind("news_agency"))
    Source.objects.filter(pk=wire.pk).update(description=f"Relays {NAME} and {HANGUL}")
    fact = register_fact(statement=f"{NAME} reports a turnout of 99.63%")
    Fact.objects.filter(pk=fact.pk).update(note=f"Per {ALIAS}, and {NAME}가 말했다")  # a Korean particle attached
    record_verdict(fact=fact, verdict=f"Unproven beyond {ALIAS}", explanation=f"Only {NAME} says so", actor=editor)
    other = register_fact(statement="Nobody voted against")
    other.conflicts.add(fact)

    def tag(start_text, end_text, **fields):
        start, end = TEXT.index(start_text), TEXT.index(end_text) + len(end_text)
        return create_claim(
            article=fields.pop("article", article),
            start=start,
            end=end,
            exact=TEXT[start:end],
            kind=fields.pop("kind", kind("in_country_informant")),
            annotator=fields.pop("annotator", editor),
            **fields,
        )

    turnout = tag(
        "The turnout",
        "99.63%",
        source=informant,
        fact=fact,
        via=[ALIAS, "Yonhap"],
        note=f"{NAME} said; 소식통{ALIAS}에 따르면",
    )
    review.decide(claim_id=turnout.pk, version=1, editor=make_user("desk", role="editor"), decision="accept")
    refused = tag("Nobody", "against", source=informant, fact=other, note=f"{HANGUL} confirmed")
    review.decide(claim_id=refused.pk, version=1, editor=editor, decision="reject", reason="other", note=f"Not {ALIAS}")
    renamed = tag("a resident said", "a resident said", source=former, note="Phone call")
    Source.objects.filter(pk=former.pk).update(name="Informant 9", key="informant 9")  # the history keeps the old
    # A reviewer who knows a name and types it: held as proposed, shown only to them.
    rita_claim = tag("Analysts", "doubt it", annotator=rita, kind=kind("think_tank"), source_name=ALIAS,
                     fact_statement=f"{NAME} doubts it", note=f"Heard from {NAME}", via=[ALIAS])  # fmt: skip
    update_claim(
        claim=rita_claim,
        actor=rita,
        version=1,
        kind=kind("think_tank"),
        source_name=NAME,
        fact_statement=f"{ALIAS} doubts it",
        via=[NAME, "Yonhap"],
        note=ALIAS,
    )
    # A public source that speaks for the sensitive one: the affiliation root is a pseudonym in graphs.
    set_affiliation(source=register_source(name="Yonhap", kind=kind("news_agency")), affiliation=informant)
    # A relay of the sensitive source, by a claim of a public one.
    tag("a resident said", "a resident said", source_name="Yonhap", via=[NAME], kind=kind("news_agency"))
    # A sensitive source merged into another: its claims' history keeps the name of a source now gone.
    duplicate = register_source(name="Qqxcanary Delta", kind=kind("in_country_informant"), sensitive=True)
    tag("Nobody", "Nobody", source=duplicate)
    merge_sources(source=duplicate, into=informant, actor=editor)
    make_claim(hidden, 0, 3, annotator=rita, note=f"{NAME}")
    # Untagged: its suggestions offer the facts above (by the figure) and name the sources the registry knows.
    untagged = make_article(UNTAGGED, title="Untagged report")
    return {
        "article": article,
        "untagged": untagged,
        "hidden": hidden,
        "claim": turnout,
        "renamed": renamed,
        "rita_claim": rita_claim,
        "fact": fact,
        "source": informant,
    }


def samples(world) -> dict:
    """Arguments for every route; None for those that only take POST (fetched below with their forms)."""
    article, claim, fact = world["article"], world["claim"], world["fact"]
    slug = {"slug": article.slug}
    return {
        "login": {},
        "logout": None,
        "kinds_css": {},
        "api:openapi-json": {},
        "api:openapi-view": {},
        "api:api-root": {},
        "api:list_articles": {},
        "api:get_article": {"slug": article.slug},
        "api:claims": {"?": "status=all"},
        "api:claim": {"pk": claim.pk},
        "api:sources": {},
        "api:source": {"pk": world["source"].pk},
        "annotate:article_list": {"?": "q=turnout"},
        "annotate:article_detail": slug,
        "annotate:article_claims": slug | {"?": f"at={claim.start}"},
        "annotate:article_passages": slug | {"?": f"from=0&claim={claim.pk}"},
        "review:article_agreement": slug,
        "review:article_independent": None,
        "review:agreement": {},
        "review:queue": {"?": "status=all"},
        "review:decide": None,
        "review:skip": None,
        "review:unskip": None,
        "review:undo": None,
        "review:bulk_accept": None,
        "annotate:claim_list": {"?": "status=all"},
        "annotate:my_claims": {},
        "review:claim": {"pk": world["renamed"].pk},
        "annotate:claim_edit": {"pk": world["rita_claim"].pk},
        "annotate:claim_delete": None,
        "dashboard:fact_list": {},
        "dashboard:fact_detail": {"slug": fact.slug},
        "dashboard:fact_conflict": None,
        "dashboard:fact_graph": {"slug": fact.slug},
        "dashboard:fact_verdict": None,
        "dashboard:story_graph": {"?": "status=all"},
        "dashboard:export_graphml": {"?": "status=all"},
        "dashboard:export_gephi_nodes": {"?": "status=all"},
        "dashboard:export_gephi_edges": {"?": "status=all"},
        "dashboard:export_prov": {"?": "status=all"},
        "dashboard:export_claimreview": {"?": "status=all"},
        "annotate:source_list": {"?": "q=a"},
        "annotate:source_edit": {"pk": world["source"].pk},
        "annotate:source_merge": None,
        "annotate:source_suggest": {"?": "source=a"},
        "annotate:fact_suggest": {"?": "fact=report"},
        "suggest:article": {"slug": world["untagged"].slug},
        "suggest:accept": None,
        "suggest:dismiss": None,
        "suggest:fact_options": {"slug": world["untagged"].slug, "?": "start=0&end=40"},
        "api:list_suggestions": {"slug": world["untagged"].slug},
        "dashboard:index": {"?": "status=all"},
        "dashboard:json": {"?": "status=all"},
        "dashboard:csv": {"?": "status=all"},
        "interchange:export_csv": {},
        "interchange:export_jsonl": {},
        "interchange:export_jsonld": {},
        "ingest:add": {},
        "ingest:save": None,
        "ingest:revisions": slug,
        "ingest:revision": slug | {"number": 1},
        "api:articles_add": None,
    }


def extra_urls(world) -> list[str]:
    """Pages the routes' samples do not reach: every claim's card and page, every fact, filters by fact."""
    urls = []
    for claim in Claim.objects.all():
        urls += [reverse("review:claim", args=[claim.pk]), reverse("api:claim", args=[claim.pk])]
    for source in Source.objects.all():
        urls.append(reverse("api:source", args=[source.pk]))
        urls.append(reverse("annotate:article_claims", args=[claim.article.slug]) + f"?ids={claim.pk}")
    for fact in Fact.objects.all():
        urls += [reverse("dashboard:fact_detail", args=[fact.slug]), f"/claims/?fact={fact.slug}&status=all"]
        urls.append(reverse("dashboard:fact_graph", args=[fact.slug]))
        urls += [f"/export/claims.csv?fact={fact.slug}", f"/api/claims?fact={fact.slug}"]
    for typed in ("zqx", "wvy", "canary", "캐너", "alpha", "protected"):
        urls += [f"/suggest/sources/?source={quote(typed)}", f"/suggest/facts/?fact={quote(typed)}"]
    urls += [reverse("annotate:article_detail", args=[world["hidden"].slug]), "/dashboard/?status=with_pending"]
    # The reading view's windows: the body from a passage, the sidebar's next claims, a gap's passages.
    for article in {claim.article for claim in Claim.objects.select_related("article")}:
        page, claims = article.get_absolute_url(), reverse("annotate:article_claims", args=[article.slug])
        passages_url = reverse("annotate:article_passages", args=[article.slug])
        urls += [f"{page}?from=1", f"{page}?after=0.0.0", f"{claims}?after=0.0.0", f"{passages_url}?from=0&at=1"]
    return urls


def crawl(client, world, *, token=None) -> dict[str, list[str]]:
    """Fetch every URL (as a page, as an htmx fragment, and from the API with the token); the leaks by URL."""
    urls = [url for route in routes() if (url := url_for(route, samples(world))) is not None]
    urls += extra_urls(world) + admin_urls()
    found = {}
    for url in urls:
        variants = [{}, {"HX-Request": "true"}]
        if url.startswith("/api/"):
            variants += [{"Accept": W3C}] + ([{"Authorization": f"Bearer {token}"}] if token else [])
        for headers in variants:
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (url, headers, response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if names := leaks(body):
                found[f"{url} {headers}"] = names
    return found


def test_the_world_plants_every_canary_where_an_editor_sees_it(client, world):
    """The crawl proves something only if the canaries are there to be found by those who may see them."""
    client.force_login(make_user("ed", role="editor"))
    found = crawl(client, world)
    seen = {name for names in found.values() for name in names}
    assert seen == set(CANARIES), seen
    page = client.get(reverse("review:claim", args=[world["renamed"].pk])).content.decode()
    assert FORMER in page  # the former name lives on in the history, for editors


def test_a_reviewer_finds_no_sensitive_name_anywhere(client, world):
    reviewer = make_user("victor")
    client.force_login(reviewer)
    assert crawl(client, world, token=ApiToken.issue(user=reviewer)[1]) == {}


def test_an_account_without_a_role_finds_nothing_at_all(client, world):
    client.force_login(make_user("nobody", role=None))
    assert crawl(client, world) == {}


def test_a_staff_member_without_the_permission_finds_none_in_the_admin(client, world):
    staff = make_user("stan", role=None)
    staff.is_staff = True
    staff.save()
    codenames = ["view_claim", "view_fact", "view_source", "view_sourcealias", "view_reviewevent", "view_article"]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    assert crawl(client, world) == {}


def test_the_author_sees_the_names_they_typed_and_nobody_else_does(client, world):
    rita = world["rita_claim"].annotator
    client.force_login(rita)
    page = client.get(reverse("review:claim", args=[world["rita_claim"].pk])).content.decode()
    assert NAME in page and ALIAS in page
    assert re.search(r"Protected source \d", page) is None  # their guess is not confirmed as a protected source
    client.force_login(make_user("victor"))
    page = client.get(reverse("review:claim", args=[world["rita_claim"].pk])).content.decode()
    assert leaks(page.encode()) == [] and "[protected]" in page
