"""Editors' verdicts on facts: recorded with who and when, shown masked, refused to reviewers."""

import pytest
from django.urls import reverse

from annotate.models import Fact
from annotate.services import register_fact, register_source

from .factories import kind, make_user

pytestmark = pytest.mark.django_db


def test_an_editor_records_a_verdict_and_a_reviewer_sees_it_masked(client):
    register_source(name="Kim Informant", kind=kind("in_country_informant"), sensitive=True)
    fact = register_fact(statement="Turnout was 99.63%")
    editor = make_user("ed", role="editor")
    client.force_login(editor)
    url = reverse("dashboard:fact_verdict", args=[fact.slug])
    response = client.post(url, {"verdict": "Misleading", "explanation": "Only Kim Informant disputes it."})
    assert response.status_code == 302
    fact.refresh_from_db()
    assert (fact.verdict, fact.verdict_by, fact.verdict_at is not None) == ("Misleading", editor, True)
    client.force_login(make_user("rita"))
    page = client.get(fact.get_absolute_url()).content.decode()
    assert "Verdict: Misleading" in page and "Kim Informant" not in page and "[protected]" in page
    assert "Record a verdict" not in page and "Change the verdict" not in page


def test_a_reviewer_cannot_record_a_verdict_and_an_explanation_needs_a_rating(client):
    fact = register_fact(statement="Turnout was 99.63%")
    client.force_login(make_user("rita"))
    url = reverse("dashboard:fact_verdict", args=[fact.slug])
    assert client.post(url, {"verdict": "False"}).status_code == 403
    client.force_login(make_user("ed", role="editor"))
    assert client.post(url, {"verdict": "", "explanation": "Because."}).status_code == 400
    assert Fact.objects.get().verdict == ""
