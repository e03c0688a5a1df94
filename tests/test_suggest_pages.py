"""Suggestions in the reading view, the API and the command: accepting, editing, dismissing; masking; never
counted or exported as claims until accepted."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotate.models import Claim, ReviewEvent, Source
from annotate.services import register_fact, register_source
from suggest.engine import ENGINE_VERSION
from suggest.models import Dismissal

from .factories import kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "Turnout was 99.63 percent in the local elections, the KCNA said on Monday.\n\n"
    "A resident of Hyesan said that nobody dared to put a ballot in the box for votes against.\n\n"
    "The weather was cold on the day of the vote and queues were long."
)
INFORMANT = "Hyesan informant Zqxcanary"


@pytest.fixture
def article():
    return make_article(TEXT, title="Turnout report")


@pytest.fixture
def registry():
    register_source(name="KCNA", kind=kind("state_media"))
    informant = register_source(name=INFORMANT, kind=kind("in_country_informant"), sensitive=True)
    informant.aliases.create(name="a resident of Hyesan")
    register_fact(statement="Turnout was 99.63%")
    return informant


def suggestions(client, article, **headers):
    return client.get(reverse("suggest:article", args=[article.slug]), headers=headers)


def keys(client, article):
    response = client.get(f"/api/articles/{article.slug}/suggestions")
    assert response.status_code == 200
    return {row["exact"][:20]: row for row in response.json()["results"]}


def test_the_reading_view_loads_suggestions_apart_from_claims(client, rita, article, registry):
    client.force_login(rita)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'id="suggestions"' in page and reverse("suggest:article", args=[article.slug]) in page
    fragment = suggestions(client, article, **{"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<section id="suggestions"')
    assert "Turnout was 99.63 percent in the local elections" in fragment
    assert fragment.count('class="suggestion"') == 2 and "suggested" in fragment
    assert "Turnout was 99.63% — 0 articles" in fragment  # the fact offered first, with its article count


def test_accept_with_the_tagging_service_and_an_audit_event_naming_the_suggestion(client, rita, article, registry):
    client.force_login(rita)
    row = keys(client, article)["Turnout was 99.63 pe"]
    assert (row["kind"], row["source"], row["fact"]) == ("state_media", "KCNA", "turnout-was-9963")
    data = {"suggestion": row["key"], "kind": row["kind"], "source": row["source"], "fact": row["fact"], "via": ""}
    response = client.post(reverse("suggest:accept", args=[article.slug]), data, headers={"HX-Request": "true"})
    assert response.status_code == 204 and "suggestion-accepted" in response["HX-Trigger"]
    claim = Claim.objects.get()
    assert (claim.start, claim.end, claim.exact) == (row["start"], row["end"], row["exact"])
    assert (claim.kind.slug, claim.source.name, claim.fact.slug, claim.annotator) == (
        "state_media", "KCNA", "turnout-was-9963", rita,
    )  # fmt: skip
    origin = ReviewEvent.objects.get(claim=claim, action="created").after["origin"]
    assert origin == {"suggestion": row["key"], "engine": ENGINE_VERSION, "score": row["score"],
                      "reason": row["reason"], "edited": False}  # fmt: skip
    assert "Turnout was 99.63 pe" not in keys(client, article)  # tagged: not proposed again
    history = client.get(reverse("review:claim", args=[claim.pk])).content.decode()
    assert f"{ENGINE_VERSION}, score {row['score']}" in history


def test_edit_then_accept(client, rita, article, registry):
    client.force_login(rita)
    row = keys(client, article)["Turnout was 99.63 pe"]
    data = {"suggestion": row["key"], "kind": "news_agency", "source": "KCNA", "via": "Yonhap", "note": "checked"}
    response = client.post(reverse("suggest:accept", args=[article.slug]), data)
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#claim-{claim.pk}")
    relays = [(relay.source, relay.proposed) for relay in claim.relays.all()]
    assert (claim.kind.slug, relays, claim.note) == ("news_agency", [(None, "Yonhap")], "checked")
    assert ReviewEvent.objects.get(claim=claim).after["origin"]["edited"] is True


RELAYED = "Turnout was 99.63 percent in the county, Wirenews reported, citing the KCNA.\n"


def test_accepting_a_relayed_suggestion_writes_the_relay_chain_and_a_protected_relay_stays_unknown(
    client, rita, editor, registry
):
    article = make_article(RELAYED, title="Relayed report")
    relay = register_source(name="Wirenews", kind=kind("news_agency"))
    client.force_login(rita)
    row = keys(client, article)["Turnout was 99.63 pe"]
    assert (row["source"], row["via"]) == ("KCNA", ["Wirenews"])
    data = {"suggestion": row["key"], "kind": row["kind"], "source": "KCNA", "via": "; ".join(row["via"])}
    client.post(reverse("suggest:accept", args=[article.slug]), data)
    claim = Claim.objects.get()
    assert [(r.position, r.source, r.proposed) for r in claim.relays.all()] == [(0, relay, "")]
    assert ReviewEvent.objects.get(claim=claim).after["origin"]["edited"] is False
    assert ReviewEvent.objects.get(claim=claim).after["via"] == ["Wirenews"]  # the audit trail has the chain
    # Protected, the relay is unknown to a reviewer's suggestions, as a name nobody registered is.
    Source.objects.filter(pk=relay.pk).update(sensitive=True)
    again = make_article(RELAYED + "Again.", title="Relayed again")
    assert keys(client, again)["Turnout was 99.63 pe"]["via"] == []
    client.force_login(editor)
    assert keys(client, again)["Turnout was 99.63 pe"]["via"] == ["Wirenews"]


def test_an_edited_chain_follows_the_no_oracle_rule(client, rita, registry):
    register_source(name="Wirenews", kind=kind("news_agency"), sensitive=True)
    article = make_article(RELAYED, title="Relayed report")
    client.force_login(rita)
    row = keys(client, article)["Turnout was 99.63 pe"]
    data = {"suggestion": row["key"], "kind": row["kind"], "source": "KCNA", "via": "Wirenews; KCNA"}
    client.post(reverse("suggest:accept", args=[article.slug]), data)
    claim = Claim.objects.get()
    # A protected source typed by its name is held as proposed, like any unknown name; a public one is linked.
    chain = [(r.source.name if r.source else None, r.proposed) for r in claim.relays.all()]
    assert chain == [(None, "Wirenews"), ("KCNA", "")]
    assert ReviewEvent.objects.get(claim=claim).after["origin"]["edited"] is True


def test_dismissed_is_not_proposed_again_to_anyone(client, rita, article, registry):
    client.force_login(rita)
    row = keys(client, article)["Turnout was 99.63 pe"]
    response = client.post(reverse("suggest:dismiss", args=[article.slug]), {"suggestion": row["key"]})
    assert response.status_code == 302
    assert Dismissal.objects.get().exact == row["exact"]
    assert "Turnout was 99.63 pe" not in keys(client, article)
    client.force_login(make_user("olga"))
    assert "Turnout was 99.63 pe" not in keys(client, article)
    assert Claim.objects.count() == 0


def test_a_stale_or_bad_suggestion_changes_nothing(client, rita, article, registry):
    client.force_login(rita)
    url = reverse("suggest:accept", args=[article.slug])
    assert client.post(url, {"suggestion": "0-5-state_media", "kind": "state_media"}).status_code == 409
    assert client.post(url, {"suggestion": "", "kind": "nope"}).status_code == 400
    dismiss = reverse("suggest:dismiss", args=[article.slug])
    assert client.post(dismiss, {"suggestion": "1-2-x"}, headers={"HX-Request": "true"}).status_code == 409
    assert (Claim.objects.count(), ReviewEvent.objects.count(), Dismissal.objects.count()) == (0, 0, 0)


def test_a_protected_source_named_in_the_text_is_suggested_to_reviewers_as_the_text_names_it(
    client, rita, editor, article, registry
):
    client.force_login(rita)
    row = keys(client, article)["A resident of Hyesan"]
    # Not its pseudonym: that would tell that the person the article names is a protected source, and which.
    assert row["source"] == "resident of Hyesan" and row["kind"] == "in_country_informant"
    for response in (suggestions(client, article), suggestions(client, article, **{"HX-Request": "true"})):
        assert "zqxcanary" not in response.content.decode().lower()
        assert "Protected source" not in response.content.decode()
    # Accepting holds the name as proposed, as the tag panel does with a name typed; an editor links it.
    data = {"suggestion": row["key"], "kind": "in_country_informant", "source": row["source"]}
    client.post(reverse("suggest:accept", args=[article.slug]), data)
    claim = Claim.objects.get()
    assert (claim.source, claim.proposed_source) == (None, "resident of Hyesan")
    # An editor, who may see the name, is suggested the registered source (where the text is not tagged yet).
    again = make_article(TEXT + " Again.", title="Turnout report, again")
    client.force_login(editor)
    assert INFORMANT in suggestions(client, again).content.decode()
    assert keys(client, again)["A resident of Hyesan"]["source"] == INFORMANT


def test_suggestions_never_count_nor_are_exported_until_accepted(client, rita, article, registry):
    client.force_login(rita)
    assert len(keys(client, article)) == 2
    dashboard = client.get(reverse("dashboard:json"), {"status": "all"}).json()
    assert dashboard["claims"] == 0
    export = client.get(reverse("interchange:export_jsonl"), {"status": "all"})
    assert b"".join(export.streaming_content).strip() == b""
    assert client.get(f"/api/articles/{article.slug}").json()["claims"] == 0
    assert "No claims yet" in client.get(article.get_absolute_url()).content.decode()


def test_suggestions_skip_claims_the_reader_sees(client, rita, article, registry):
    make_claim(article, 0, 49, annotator=rita)
    client.force_login(rita)
    assert "Turnout was 99.63 pe" not in keys(client, article)


def test_the_page_asks_few_queries(client, rita, article, registry, django_assert_max_num_queries):
    client.force_login(rita)
    with django_assert_max_num_queries(16):
        assert suggestions(client, article, **{"HX-Request": "true"}).status_code == 200
    for n in range(30):
        register_source(name=f"Wire {n}", kind=kind("news_agency"))
        register_fact(statement=f"Fact number {n} about turnout")
    with django_assert_max_num_queries(16):
        assert suggestions(client, article, **{"HX-Request": "true"}).status_code == 200


def test_command_prints_json_lines_and_a_table(article, registry):
    out = io.StringIO()
    call_command("suggest_claims", "--article", article.slug, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [sorted(r) for r in rows[:1]] == [
        ["article", "end", "exact", "fact", "kind", "reason", "score", "source", "start", "via"]
    ]
    assert {r["source"] for r in rows} == {"KCNA", "resident of Hyesan"}  # as the article names it
    assert all(r["exact"] == TEXT[r["start"] : r["end"]] and r["article"] == article.slug for r in rows)
    out = io.StringIO()
    call_command("suggest_claims", "--format", "table", "--include-sensitive", stdout=out)
    assert INFORMANT in out.getvalue()
    with pytest.raises(CommandError):
        call_command("suggest_claims", "--article", "no-such-article")


def test_the_api_refuses_what_the_browser_refuses(client, article):
    assert client.get(f"/api/articles/{article.slug}/suggestions").status_code == 401
    client.force_login(make_user("nobody", role=None))
    assert client.get(f"/api/articles/{article.slug}/suggestions").status_code == 403
    client.force_login(make_user("olga"))
    assert client.get("/api/articles/no-such/suggestions").status_code == 404
    assert Source.objects.count() == 0


def test_the_tag_panel_is_offered_the_facts_a_selection_reports(client, rita, article, registry):
    other = make_article("Officials said turnout was 99.63% this year.", title="Other report")
    make_claim(other, 15, 43, annotator=rita, fact="Turnout was 99.63%")
    client.force_login(rita)
    url = reverse("suggest:fact_options", args=[article.slug])
    body = client.get(url, {"start": 0, "end": 25}).content.decode()
    assert body.startswith('<option value="Turnout was 99.63%" label="Turnout was 99.63% — 1 article">')
    for bad in ({"start": 5, "end": 2}, {"start": "x"}, {"start": 0, "end": 10**9}, {}):
        assert client.get(url, bad).content.decode().strip() == ""


def test_a_rumour_a_protected_source_passes_on_names_them_as_the_article_does(client, rita, registry):
    text = "“There are rumors that the count was changed overnight. We all voted for,” a resident of Hyesan said."
    article = make_article(text, title="Rumour report")
    client.force_login(rita)
    rows = keys(client, article)
    assert rows["There are rumors tha"]["kind"] == "unsourced_quote"
    assert rows["There are rumors tha"]["via"] == ["resident of Hyesan"]  # as the article names them
    for response in (suggestions(client, article), client.get(f"/api/articles/{article.slug}/suggestions")):
        assert "zqxcanary" not in response.content.decode().lower()


def test_a_sentence_restating_a_fact_other_articles_carry_is_proposed_and_accepted(client, rita, registry):
    other = make_article("Officials said turnout was 99.63% this year.", title="Other report")
    make_claim(other, 15, 43, annotator=rita, fact="Turnout was 99.63%")
    article = make_article("The local elections saw a record voter turnout of 99.63 percent.", title="Restating")
    client.force_login(rita)
    row = keys(client, article)["The local elections "]
    assert (row["kind"], row["source"], row["fact"]) == ("outlet_reporting", None, "turnout-was-9963")
    assert row["reason"].startswith("restates a registered fact (99.63)")
    data = {"suggestion": row["key"], "kind": "outlet_reporting", "source": "", "fact": row["fact"], "via": ""}
    response = client.post(reverse("suggest:accept", args=[article.slug]), data, headers={"HX-Request": "true"})
    assert response.status_code == 204  # found again by its key: the same facts give the same suggestions
    claim = Claim.objects.get(article=article)
    assert (claim.kind.slug, claim.fact.slug, claim.exact) == ("outlet_reporting", "turnout-was-9963", row["exact"])
    # The same span is also the outlet's own statement without the facts: the audit trail records what was shown.
    origin = ReviewEvent.objects.get(claim=claim, action="created").after["origin"]
    assert (origin["reason"], origin["score"]) == (row["reason"], row["score"])


def test_a_weak_fact_candidate_is_offered_but_never_linked_on_one_key(client, rita, article, registry):
    # It shares two words ("votes", "ballot") with the second paragraph, and little of what it says.
    statement = "Votes were counted by hand in every polling station before the ballot papers were sealed"
    register_fact(statement=statement)
    client.force_login(rita)
    row = keys(client, article)["A resident of Hyesan"]
    assert row["fact"] is None
    assert [f["statement"] for f in row["facts"]] == [statement]
    fragment = suggestions(client, article, **{"HX-Request": "true"}).content.decode()
    assert f"{statement} — 0 articles" in fragment  # offered in the Fact field
    fields = re.findall(r'<input[^>]*name="fact"[^>]*>', fragment)
    assert len(fields) == 2 and not any(statement in field for field in fields)  # nor filled in
    assert any("Turnout was 99.63%" in field for field in fields)
    assert keys(client, article)["Turnout was 99.63 pe"]["fact"] == "turnout-was-9963"  # a shared figure: linked


def test_accepting_a_suggestion_with_a_cue_reads_no_facts_index(client, rita, article, registry):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(rita)
    row = keys(client, article)["Turnout was 99.63 pe"]
    data = {"suggestion": row["key"], "kind": row["kind"], "source": row["source"], "fact": "", "via": ""}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("suggest:accept", args=[article.slug]), data, headers={"HX-Request": "true"})
    assert response.status_code == 204
    # Only restatements need the facts' index (their articles and their claims' texts): not read here.
    assert not [
        q["sql"] for q in queries.captured_queries if 'COUNT(DISTINCT "annotate_claim"."article_id")' in q["sql"]
    ]


def test_a_long_article_shows_its_suggestions_a_page_at_a_time(client, rita, registry):
    from suggest.views import SHOWN

    sentences = [f"A resident of Hyesan said the market closed {n} times in March." for n in range(SHOWN + 7)]
    article = make_article("\n\n".join(sentences), title="Many suggestions")
    client.force_login(rita)
    first = suggestions(client, article, **{"HX-Request": "true"}).content.decode()
    assert first.count('class="suggestion"') == SHOWN and f'<span class="count">{SHOWN}+</span>' in first
    url = reverse("suggest:article", args=[article.slug])
    assert f'href="{url}?limit={2 * SHOWN}"' in first  # a link that works without JavaScript too
    rest = client.get(f"{url}?limit={2 * SHOWN}", headers={"HX-Request": "true"}).content.decode()
    assert rest.count('class="suggestion"') == SHOWN + 7 and "Show more suggestions" not in rest
    for bad in ("0", "-3", "abc", "9" * 30):  # not a number of suggestions: the first page, never an error
        page = client.get(f"{url}?limit={bad}", headers={"HX-Request": "true"})
        assert page.status_code == 200 and page.content.decode().count('class="suggestion"') == SHOWN
