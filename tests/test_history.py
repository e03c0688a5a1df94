"""A claim's page and its history, as a reader without the permission sees sensitive sources in it."""

import pytest
from django.urls import reverse

from annotate.models import Source
from annotate.services import register_source, update_claim

from .factories import informant_claim, kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
TEXT = "The voter turnout was 99.63%. Nobody voted against. It is a ploy, analysts say. KCNA said so."


@pytest.fixture
def article():
    return make_article(TEXT)


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
