"""Agreement pages: what the reviewers of an independently tagged article tagged, not what editors made of it."""

import pytest
from django.urls import reverse

from annotate.models import ReviewEvent
from annotate.services import update_claim
from review import services as review

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The voter turnout was 99.63%. Nobody voted against. It is a ploy, analysts say. KCNA said so."


@pytest.fixture
def article():
    return make_article(TEXT, independent=True)


def test_agreement_measures_the_reviewers_kinds_not_the_editors_corrections(client, article, rita, editor):
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
    olga = make_user("olga")
    make_claim(article, 0, 29, annotator=rita, kind_slug="state_media")
    theirs = make_claim(article, 0, 29, annotator=olga, kind_slug="news_agency")
    update_claim(claim=theirs, actor=olga, version=1, kind=kind("state_media"), source_name="")
    client.force_login(editor)
    response = client.get(reverse("review:article_agreement", args=[article.slug]))
    assert response.context["report"].observed == 1.0
