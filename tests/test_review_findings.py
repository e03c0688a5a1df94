"""Sensitive names in the history, review cards and admin; kind corrections that collide; fact counts;
agreement measured on what the reviewers tagged."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from annotate.models import Claim, ReviewEvent, Source
from annotate.services import register_source, update_claim
from review import services as review

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "The voter turnout was 99.63%. Nobody voted against. It is a ploy, analysts say. KCNA said so."


@pytest.fixture
def article():
    return make_article(TEXT)


@pytest.fixture
def rita():
    return make_user("rita")


@pytest.fixture
def editor():
    return make_user("ed", role="editor")


def grant(user, *names):
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def informant_claim(article, annotator, name="Kim Chol, Hyesan"):
    claim = make_claim(article, 30, 51, kind_slug="in_country_informant", annotator=annotator, source_name=name)
    Source.objects.filter(pk=claim.source_id).update(sensitive=True)
    return claim


# ---- sensitive source names ----------------------------------------------------------------------------


def test_history_does_not_show_a_sensitive_sources_former_name(client, article, rita):
    """An editor renames a source to hide who it is and marks it sensitive: the history must not keep telling."""
    claim = informant_claim(article, rita)
    Source.objects.filter(pk=claim.source_id).update(name="Informant 7")
    client.force_login(make_user("olga"))
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert "Kim Chol" not in page and "Protected source 1" in page


def test_history_still_names_public_sources(client, article, rita):
    claim = make_claim(article, 0, 29, annotator=rita, source_name="KCNA")
    register_source(name="Rodong Sinmun", kind=kind())
    update_claim(claim=claim, actor=rita, version=1, kind=kind(), source_name="Rodong Sinmun")
    client.force_login(make_user("olga"))
    page = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert "KCNA" in page and "Rodong Sinmun" in page


def test_review_card_and_up_next_mask_sensitive_names_without_the_permission(client, article, rita):
    informant_claim(article, rita)
    informant = Source.objects.get()
    make_claim(article, 52, 64, kind_slug="in_country_informant", annotator=rita, source_name=informant.name)
    desk = grant(make_user("desk", role=None), "annotate.review_claim", "annotate.view_claim")
    client.force_login(desk)
    page = client.get(reverse("review:queue")).content.decode()
    assert "Up next" in page
    assert "Kim Chol" not in page and "Protected source 1" in page
    client.force_login(make_user("ed", role="editor"))
    assert "Kim Chol" in client.get(reverse("review:queue")).content.decode()


def test_admin_shows_sensitive_names_only_to_those_who_may_see_them(client, article, rita):
    informant_claim(article, rita)
    review.decide(claim_id=Claim.objects.get().pk, version=1, editor=make_user("ed", role="editor"), decision="accept")
    staff_reviewer = make_user("rv", role="reviewer")
    staff_reviewer.is_staff = True
    staff_reviewer.save()
    client.force_login(staff_reviewer)
    for name in ("annotate_claim", "annotate_source"):
        for query in ({}, {"q": "Kim"}):
            response = client.get(reverse(f"admin:{name}_changelist"), query)
            assert "Kim Chol" not in response.content.decode(), (name, query)
    staff_editor = make_user("ed2", role="editor")
    staff_editor.is_staff = True
    staff_editor.save()
    client.force_login(staff_editor)
    for name in ("annotate_claim", "annotate_source"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200 and "Kim Chol" in response.content.decode()
    assert client.get(reverse("admin:annotate_reviewevent_changelist")).status_code == 200


# ---- corrections that collide --------------------------------------------------------------------------


@pytest.fixture
def double_tagged(article, rita):
    """rita tagged the same sentence twice, as state media and as a news agency."""
    own = make_claim(article, 0, 29, annotator=rita)
    return own, make_claim(article, 0, 29, annotator=rita, kind_slug="news_agency")


def test_correcting_a_kind_onto_the_authors_other_tag_is_refused_not_a_crash(client, double_tagged, editor):
    _, relayed = double_tagged
    client.force_login(editor)
    response = client.post(
        reverse("review:decide", args=[relayed.pk]),
        {"action": "kind", "kind": "state_media", "version": relayed.version},
        headers=HTMX,
    )
    assert response.status_code == 400 and "duplicate" in response.content.decode()
    relayed.refresh_from_db()
    assert (relayed.kind.slug, relayed.version) == ("news_agency", 1)


def test_undoing_a_correction_that_would_collide_is_refused_not_a_crash(client, article, rita, editor):
    claim = make_claim(article, 0, 29, annotator=rita, kind_slug="news_agency")
    review.correct_kind(claim_id=claim.pk, version=1, editor=editor, kind=kind("state_media"))
    make_claim(article, 0, 29, annotator=rita, kind_slug="news_agency")  # now free again, rita tags it
    client.force_login(editor)
    response = client.post(reverse("review:undo"), headers=HTMX)
    assert response.status_code == 400 and "Cannot undo" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.kind.slug, claim.version) == ("state_media", 2)


def test_author_changing_a_kind_onto_their_other_tag_is_refused_in_the_api(client, double_tagged, rita):
    _, relayed = double_tagged
    client.force_login(rita)
    response = client.patch(
        f"/api/claims/{relayed.pk}",
        json.dumps({"version": 1, "kind": "state_media"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "already tagged" in response.json()["detail"]
    assert Claim.objects.get(pk=relayed.pk).kind.slug == "news_agency"


# ---- the queue's own robustness ------------------------------------------------------------------------


def test_queue_with_a_claim_that_is_not_a_number_is_not_found(client, editor):
    client.force_login(editor)
    assert client.get(reverse("review:queue"), {"claim": "abc"}).status_code == 404


# ---- fact pages ----------------------------------------------------------------------------------------


def test_fact_pages_count_pending_claims(client, article, rita):
    make_claim(article, 0, 29, annotator=rita, fact="Turnout was 99.63%")
    client.force_login(make_user("olga"))
    page = client.get(reverse("dashboard:fact_list")).content.decode()
    assert "No pending or accepted claims" not in page and "1 claim" in page
    page = client.get(reverse("dashboard:fact_detail", args=["turnout-was-9963"])).content.decode()
    assert "Reported in <strong>1</strong> article" in page


# ---- agreement -----------------------------------------------------------------------------------------


def test_agreement_measures_the_reviewers_kinds_not_the_editors_corrections(client, article, rita, editor):
    article.independent = True
    article.save()
    olga = make_user("olga")
    make_claim(article, 0, 29, annotator=rita, kind_slug="state_media")
    theirs = make_claim(article, 0, 29, annotator=olga, kind_slug="news_agency")
    make_claim(article, 30, 51, annotator=rita, kind_slug="in_country_informant")
    make_claim(article, 30, 51, annotator=olga, kind_slug="in_country_informant")
    client.force_login(editor)
    url = reverse("review:article_agreement", args=[article.slug])
    before = client.get(url).content.decode()
    overview = client.get(reverse("review:agreement")).context["pooled"]
    review.correct_kind(claim_id=theirs.pk, version=1, editor=editor, kind=kind("state_media"))
    assert ReviewEvent.objects.filter(action="corrected").exists()
    after = client.get(url)
    assert "kinds differ" in before and "kinds differ" in after.content.decode()
    assert after.context["report"].observed == 0.5
    assert client.get(reverse("review:agreement")).context["pooled"].observed == overview.observed == 0.5


def test_agreement_follows_the_authors_own_edits(client, article, rita, editor):
    article.independent = True
    article.save()
    olga = make_user("olga")
    make_claim(article, 0, 29, annotator=rita, kind_slug="state_media")
    theirs = make_claim(article, 0, 29, annotator=olga, kind_slug="news_agency")
    update_claim(claim=theirs, actor=olga, version=1, kind=kind("state_media"), source_name="")
    client.force_login(editor)
    response = client.get(reverse("review:article_agreement", args=[article.slug]))
    assert response.context["report"].observed == 1.0


def test_popover_ignores_numbers_too_large_for_an_offset_or_id(client):
    from django.urls import reverse

    from .factories import make_article, make_user

    article = make_article()
    client.force_login(make_user("someone"))
    url = reverse("annotate:article_claims", args=[article.slug])
    assert client.get(url, {"at": "9" * 20}).status_code == 200
    assert client.get(url, {"ids": "9" * 20}).status_code == 200
