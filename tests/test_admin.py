"""The admin site: editors manage the taxonomy, sources and facts; claims and their trail are read-only."""

import pytest
from django.urls import reverse

from annotate.models import ProvenanceKind

from .factories import make_article, make_claim, make_user

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
