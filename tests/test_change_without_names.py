"""An account allowed to change sources or facts but not to see protected sources (a desk's own role, made
in the admin) reads no protected name where those changes are made: the registry of sources and a fact's
verdict are for those who may see who a source is."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from annotate.fact_services import record_verdict
from annotate.models import SourceAlias
from annotate.services import register_fact, register_source

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
NAME, ALIAS = "Zorblat Quexwin", "ZQ-informant"


@pytest.fixture
def desk():
    """A reviewer who may also change sources and facts and review claims, but not see protected sources."""
    user = make_user("desk")
    for codename in ("change_source", "change_fact", "review_claim", "change_sourcealias"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    assert user.has_perm("annotate.change_source") and not user.has_perm("annotate.view_sensitive_source")
    return user


@pytest.fixture
def informant():
    source = register_source(name=NAME, kind=kind("in_country_informant"), sensitive=True)
    SourceAlias.objects.create(source=source, name=ALIAS)
    article = make_article("Nobody voted against, a resident said.")
    make_claim(article, 0, 21, source_name=NAME, fact="Nobody voted against")
    return source


def test_the_registry_of_sources_is_closed_to_them(desk, informant):
    client = Client()
    client.force_login(desk)
    public = register_source(name="Daily NK", kind=kind("news_agency"))
    answers = [
        client.get("/sources/"),
        client.get(f"/sources/?q={NAME}"),
        client.get(f"/sources/{informant.pk}/"),
        client.get(f"/sources/{public.pk}/"),
        client.post(f"/sources/{public.pk}/", {"name": ALIAS, "kind": public.kind_id}),
        client.post(f"/sources/{public.pk}/merge/", {"into": informant.pk}),
    ]
    for answer in answers:
        assert answer.status_code == 403
        assert NAME not in answer.content.decode() and ALIAS not in answer.content.decode()
    assert "/sources/" not in client.get("/articles/").content.decode(), "the menu offers no page it refuses"
    patch = client.patch(f"/api/sources/{public.pk}", json.dumps({"name": ALIAS}), content_type="application/json")
    assert patch.status_code == 403 and ALIAS not in patch.content.decode()


def test_a_verdicts_form_is_not_filled_with_a_text_they_may_not_read(desk, informant):
    editor = make_user("edna", role="editor")
    fact = register_fact(statement="Nobody voted against")
    record_verdict(fact=fact, verdict="Unproven", explanation=f"Only {NAME} says so.", actor=editor)
    client = Client()
    client.force_login(desk)

    page = client.get(fact.get_absolute_url()).content.decode()
    assert NAME not in page and "Only [protected] says so." in page.replace("&#x27;", "'")
    refused = client.post(f"{fact.get_absolute_url()}verdict/", {"verdict": "", "explanation": ""})
    assert refused.status_code == 403
    fact.refresh_from_db()
    assert fact.verdict_explanation == f"Only {NAME} says so.", "nothing changed"
