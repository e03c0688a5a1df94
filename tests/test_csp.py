"""The Content-Security-Policy: on every page, with no inline script, style or eval allowed; and the
kinds' stylesheet that lets the pages do without inline styles."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotate.models import ProvenanceKind
from api.models import ApiToken

from .factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The turnout was 99.63%, the KCNA said. Nobody voted against, a resident said."


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.fixture
def site(client):
    """An editor signed in, and one of everything a page can show."""
    editor = make_user("edna", role="editor")
    editor.is_staff = True
    editor.save()
    article = make_article(TEXT, title="Turnout report")
    claim = make_claim(article, 0, 22, source_name="KCNA", fact="Turnout was 99.63%", annotator=editor)
    make_claim(article, 4, 11, kind_slug="think_tank", source_name="A resident")
    client.force_login(editor)
    return {"article": article, "claim": claim, "editor": editor}


def main_pages(site) -> list[str]:
    article, claim = site["article"], site["claim"]
    return [
        reverse("login"),
        reverse("annotate:article_list"),
        article.get_absolute_url(),
        f"{reverse('annotate:article_claims', args=[article.slug])}?at=4",  # the popover's cards
        reverse("annotate:claim_list"),
        reverse("review:claim", args=[claim.pk]),
        reverse("annotate:claim_edit", args=[claim.pk]),
        reverse("dashboard:fact_list"),
        reverse("dashboard:fact_detail", args=[claim.fact.slug]),
        reverse("dashboard:index"),
        reverse("review:queue"),
        reverse("review:agreement"),
        reverse("review:article_agreement", args=[article.slug]),
        reverse("annotate:source_list"),
        reverse("annotate:source_edit", args=[claim.source_id]),
        reverse("admin:index"),
        "/api/docs",
        "/no/such/page/",
    ]


def test_every_page_forbids_inline_scripts_styles_and_eval(client, site):
    for url in main_pages(site):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], url
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'none'"] and directives["form-action"] == ["'self'"], url
        assert directives["img-src"] == ["'self'", "data:"], url
        page = response.content.decode()
        # What the policy would block must not be there in the first place.
        assert not re.search(r"<[^>]+\sstyle=", page), f"{url} has an inline style attribute"
        assert not re.search(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=", page), f"{url} has an inline event handler"
        assert not re.search(r'\b(k|l[1-4])-[\s"]', page), f"{url} has a kind class without a kind"


def test_the_api_and_its_errors_carry_the_policy_too(site):
    _, raw = ApiToken.issue(user=site["editor"])
    for response in (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/claims"),
        Client().get("/api/claims"),
    ):
        assert policy(response)["script-src"] == ["'self'"]


def test_pages_name_kinds_by_class_and_the_kinds_stylesheet_colours_them(client, site):
    state, think_tank = ProvenanceKind.objects.get(slug="state_media"), ProvenanceKind.objects.get(slug="think_tank")
    page = client.get(site["article"].get_absolute_url()).content.decode()
    stylesheet = re.search(r'<link rel="stylesheet" href="(/kinds\.css\?v=[0-9a-f]{12})">', page)[1]
    assert f"hl k-{think_tank.pk} l1-{think_tank.pk} l2-{state.pk}" in page  # the inner claim over the outer one
    assert f'class="chip k-{state.pk}"' in page
    assert not re.search(r'\b(k|l[1-4])-[\s"]', page), "a kind class without a kind"

    response = client.get(stylesheet)
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    css = response.content.decode()
    assert f'.k-{state.pk}{{--k:{state.colour};--kg:"S"}}' in css
    assert f".l4-{think_tank.pk}{{--l4:{think_tank.colour}}}" in css

    # An editor changes a colour: the pages link a new URL, and the old one is no longer kept.
    ProvenanceKind.objects.filter(pk=state.pk).update(colour="#123456")
    page = client.get(site["article"].get_absolute_url()).content.decode()
    assert stylesheet not in page
    old = client.get(stylesheet)
    assert old["Cache-Control"] == "no-cache"
    assert f'.k-{state.pk}{{--k:#123456;--kg:"S"}}' in old.content.decode()


def test_the_kinds_stylesheet_needs_no_sign_in_and_the_sign_in_page_does_not_link_it():
    client = Client()
    assert client.get(reverse("kinds_css")).status_code == 200
    assert "/kinds.css" not in client.get(reverse("login")).content.decode()


def test_stacked_bars_give_each_kind_its_share_without_inline_styles(client, site):
    page = client.get(reverse("annotate:article_list")).content.decode()
    state, think_tank = ProvenanceKind.objects.get(slug="state_media"), ProvenanceKind.objects.get(slug="think_tank")
    assert f'class="kindbar-seg k-{state.pk} g-50"' in page and f'class="kindbar-seg k-{think_tank.pk} g-50"' in page
