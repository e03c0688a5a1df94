"""The admin site: editors manage the taxonomy, sources and facts; claims and their trail are read-only."""

import pytest
from django.urls import reverse

from annotate.models import Claim, ProvenanceKind
from review import services as review

from .factories import informant_claim, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = make_user("ed", role="editor")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "name", ["annotate_claim", "annotate_source", "annotate_fact", "annotate_provenancekind", "annotate_reviewevent"]
)
def test_changelists_open_and_search(client, editor, name):
    make_claim(make_article(), 0, 3, source_name="KCNA", fact="Turnout was 99.63%")
    response = client.get(reverse(f"admin:{name}_changelist"), {"q": "KCNA"})
    assert response.status_code == 200


def test_editor_deactivates_a_kind_and_its_claims_stay(client, editor):
    claim = make_claim(make_article(), 0, 3, kind_slug="expert")
    kind = ProvenanceKind.objects.get(slug="expert")
    url = reverse("admin:annotate_provenancekind_change", args=[kind.pk])
    data = {
        "slug": "expert",
        "label": "Expert",
        "definition": kind.definition,
        "colour": kind.colour,
        "shortcut": "6",
        "role": "origin",
        "order": 6,
    }  # "active" unticked
    assert client.post(url, data).status_code == 302
    kind.refresh_from_db()
    claim.refresh_from_db()
    assert not kind.active and claim.kind == kind


def test_claims_cannot_be_changed_in_the_admin(client, editor):
    claim = make_claim(make_article(), 0, 3)
    url = reverse("admin:annotate_claim_change", args=[claim.pk])
    client.post(url, {"status": "accepted"})
    claim.refresh_from_db()
    assert claim.status == "pending" and claim.version == 1


def test_reviewers_have_no_admin(client):
    client.force_login(make_user("rita"))
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_accept_action_goes_through_review_with_audit(client, editor):
    from annotate.models import Claim, ReviewEvent

    article = make_article()
    claims = [make_claim(article, 0, 3), make_claim(article, 4, 9)]
    response = client.post(
        reverse("admin:annotate_claim_changelist"),
        {"action": "accept_claims", "_selected_action": [c.pk for c in claims]},
        follow=True,
    )
    assert "2 claims updated" in response.content.decode()
    assert set(Claim.objects.values_list("status", "reviewer", "version")) == {("accepted", editor.pk, 2)}
    assert ReviewEvent.objects.filter(action="accepted", actor=editor).count() == 2


def test_admin_review_actions_need_the_review_permission(client):
    from annotate.models import Claim

    staff_reviewer = make_user("rv", role="reviewer")
    staff_reviewer.is_staff = True
    staff_reviewer.save()
    client.force_login(staff_reviewer)
    claim = make_claim(make_article(), 0, 3)
    client.post(reverse("admin:annotate_claim_changelist"), {"action": "accept_claims", "_selected_action": [claim.pk]})
    assert Claim.objects.get(pk=claim.pk).status == "pending"


def test_admin_shows_sensitive_names_only_to_those_who_may_see_them(client, rita):
    informant_claim(make_article(), rita)
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


def test_a_protected_source_edited_in_the_admin_keeps_every_name_it_had(client, editor):
    from annotate.models import Fact, Source, SourceAlias
    from annotate.services import register_fact, register_source

    source = register_source(name="Ri Sun-ok", kind=ProvenanceKind.objects.get(slug="in_country_informant"))
    Source.objects.filter(pk=source.pk).update(sensitive=True)
    alias = SourceAlias.objects.create(source=source, name="Sun-ok Ri")
    fact = register_fact(statement="Choe Myong-hui doubts the count")
    data = {
        "name": "Hamhung informant",
        "kind": source.kind_id,
        "description": "",
        "sensitive": "on",
        "aliases-TOTAL_FORMS": "2",
        "aliases-INITIAL_FORMS": "1",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-id": str(alias.pk),
        "aliases-0-source": str(source.pk),
        "aliases-0-name": "Sun-ok R.",  # the alias edited away
        "aliases-1-source": str(source.pk),
        "aliases-1-name": "Choe Myong-hui",  # a name protected now, which a fact's address spells
    }
    response = client.post(reverse("admin:annotate_source_change", args=[source.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    names = set(SourceAlias.objects.filter(source=source).values_list("name", flat=True))
    assert names == {"Ri Sun-ok", "Sun-ok Ri", "Sun-ok R.", "Choe Myong-hui"}
    fact.refresh_from_db()
    assert fact.slug == "doubts-the-count" and Fact.objects.count() == 1
