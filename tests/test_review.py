"""The review queue: transitions and who may make them, leases, stale decisions, undo, audit trail."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from annotate.models import Claim, ReviewEvent, Source
from annotate.services import StaleEdit, register_source, update_claim
from review import services as review

from .factories import grant, informant_claim, kind, make_article, make_claim, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "The voter turnout was 99.63%. Nobody voted against. It is a ploy, analysts say. KCNA said so."


@pytest.fixture
def article():
    return make_article(TEXT)


@pytest.fixture
def claims(article, rita):
    """Three pending claims by rita, oldest first."""
    return [
        make_claim(article, 0, 29, annotator=rita, source_name="KCNA"),
        make_claim(article, 30, 51, kind_slug="in_country_informant", annotator=rita),
        make_claim(article, 52, 64, kind_slug="unsourced_quote", annotator=rita),
    ]


def decide(client, claim, action, **data):
    return client.post(
        reverse("review:decide", args=[claim.pk]),
        {"action": action, "version": claim.version, **data},
        headers=HTMX,
    )


# ---- who may do what --------------------------------------------------------------------------------


def review_urls(claim):
    return [
        ("get", reverse("review:queue"), {}),
        ("post", reverse("review:decide", args=[claim.pk]), {"action": "accept", "version": 1}),
        ("post", reverse("review:skip", args=[claim.pk]), {}),
        ("post", reverse("review:unskip"), {}),
        ("post", reverse("review:undo"), {}),
        ("post", reverse("review:bulk_accept"), {"claim": f"{claim.pk}:1"}),
        ("get", reverse("review:agreement"), {}),
        ("get", reverse("review:article_agreement", args=[claim.article.slug]), {}),
        ("post", reverse("review:article_independent", args=[claim.article.slug]), {"independent": "on"}),
    ]


@pytest.mark.parametrize("role, allowed", [(None, False), ("reviewer", False), ("editor", True)])
def test_permission_matrix_over_every_review_url(client, claims, role, allowed):
    user = make_user("someone", role=role)
    client.force_login(user)
    for method, url, data in review_urls(claims[0]):
        response = getattr(client, method)(url, data)
        if allowed:
            assert response.status_code in (200, 302, 400, 409), (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)
    if not allowed:
        claim = Claim.objects.get(pk=claims[0].pk)
        assert (claim.status, claim.version) == ("pending", 1)
        assert not ReviewEvent.objects.exclude(action="created").exists()
    client.logout()
    for method, url, data in review_urls(claims[0]):
        assert getattr(client, method)(url, data).status_code == 302  # to the login page


def test_review_urls_need_csrf(claims, editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse("review:decide", args=[claims[0].pk]), {"action": "accept", "version": 1})
    assert response.status_code == 403
    assert Claim.objects.get(pk=claims[0].pk).status == "pending"


# ---- transitions -----------------------------------------------------------------------------------


def test_accept_reject_and_request_changes(client, claims, editor):
    client.force_login(editor)
    first, second, third = claims
    assert decide(client, first, "accept").status_code == 200
    first.refresh_from_db()
    assert (first.status, first.reviewer, first.version, first.review_reason) == ("accepted", editor, 2, "")
    assert first.reviewed_at is not None
    response = decide(client, second, "reject", reason="wrong_kind", note="An informant, not a resident quote")
    assert response.status_code == 200
    second.refresh_from_db()
    assert (second.status, second.review_reason, second.review_note) == (
        "rejected",
        "wrong_kind",
        "An informant, not a resident quote",
    )
    assert decide(client, third, "changes", reason="wrong_source").status_code == 200
    third.refresh_from_db()
    assert third.status == "changes_requested"
    actions = list(ReviewEvent.objects.filter(actor=editor).order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["accepted", "rejected", "changes_requested"]


@pytest.mark.parametrize("action", ["reject", "changes"])
def test_refusing_needs_a_reason(client, claims, editor, action):
    client.force_login(editor)
    for reason in ("", "because"):
        response = decide(client, claims[0], action, reason=reason)
        assert response.status_code == 400 and "choose a reason" in response.content.decode()
    claim = Claim.objects.get(pk=claims[0].pk)
    assert (claim.status, claim.version) == ("pending", 1)


def test_unknown_decision_and_missing_version_change_nothing(client, claims, editor):
    client.force_login(editor)
    assert decide(client, claims[0], "publish").status_code == 400
    url = reverse("review:decide", args=[claims[0].pk])
    assert client.post(url, {"action": "accept"}, headers=HTMX).status_code == 400
    assert Claim.objects.get(pk=claims[0].pk).version == 1


def test_editor_cannot_accept_own_claim_unless_allowed(client, article, editor):
    own = make_claim(article, 0, 29, annotator=editor)
    client.force_login(editor)
    response = decide(client, own, "accept")
    assert response.status_code == 403 and "your own claim" in response.content.decode()
    assert Claim.objects.get(pk=own.pk).status == "pending"
    # ...and the queue does not hand editors their own claims, but says how many wait for someone else.
    page = client.get(reverse("review:queue")).content.decode()
    assert "Nothing left to review" in page and "1 of your own claims waits" in page
    with override_settings(REVIEW_SELF_ACCEPT=True):
        assert decide(client, own, "accept").status_code == 200
    assert Claim.objects.get(pk=own.pk).status == "accepted"


def test_editor_may_reject_own_claim(article, editor):
    own = make_claim(article, 0, 29, annotator=editor)
    claim = review.decide(claim_id=own.pk, version=1, editor=editor, decision="reject", reason="duplicate")
    assert claim.status == "rejected"


def test_author_edit_after_changes_requested_returns_claim_to_queue(article, rita, editor):
    claim = make_claim(article, 0, 29, annotator=rita, source_name="KCNA")
    register_source(name="Rodong Sinmun", kind=kind())
    claim = review.decide(
        claim_id=claim.pk, version=1, editor=editor, decision="changes", reason="wrong_source", note="Name the relay."
    )
    assert claim.is_editable_by(rita)
    # The form the author fixes it in says what the editor asked for.
    client = Client()
    client.force_login(rita)
    form = client.get(reverse("annotate:claim_edit", args=[claim.pk])).content.decode()
    said = re.search(r'<p class="review-says">(.*?)</p>', form, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", said) == f"{editor.get_username()}: Wrong source · “Name the relay.”"
    claim = update_claim(claim=claim, actor=rita, version=claim.version, kind=kind(), source_name="Rodong Sinmun")
    assert (claim.status, claim.review_reason, (claim.source.name if claim.source else "")) == (
        "pending",
        "",
        "Rodong Sinmun",
    )
    history = list(ReviewEvent.objects.filter(claim_ref=claim.pk).order_by("at", "pk"))
    assert [e.action for e in history] == ["created", "changes_requested", "edited"]
    assert history[1].after["review_reason"] == "wrong_source"  # the request stays in the history


def test_authors_cannot_edit_accepted_or_rejected_claims(article, rita, editor):
    claim = make_claim(article, 0, 29, annotator=rita)
    claim = review.decide(claim_id=claim.pk, version=1, editor=editor, decision="accept")
    with pytest.raises(PermissionDenied):
        update_claim(claim=claim, actor=rita, version=claim.version, kind=kind(), source_name="X")


def test_correcting_the_kind_keeps_the_card_and_its_status(client, claims, editor):
    client.force_login(editor)
    response = client.post(
        reverse("review:decide", args=[claims[1].pk]),
        {"action": "kind", "kind": "think_tank", "version": 1},
        headers=HTMX,
    )
    assert response.status_code == 200 and "Kind changed to Think tank" in response.content.decode()
    claim = Claim.objects.get(pk=claims[1].pk)
    assert (claim.kind.slug, claim.status, claim.version) == ("think_tank", "pending", 2)
    event = ReviewEvent.objects.get(action="corrected")
    assert (event.before["kind"], event.after["kind"]) == ("in_country_informant", "think_tank")


# ---- stale decisions ----------------------------------------------------------------------------------


def test_decision_on_a_claim_changed_meanwhile_is_refused_with_who_and_fresh_state(client, claims, rita, editor):
    claim = claims[0]
    update_claim(claim=claim, actor=rita, version=1, kind=kind("news_agency"), source_name="Yonhap")
    client.force_login(editor)
    response = decide(client, claim, "accept")  # the editor saw version 1
    page = response.content.decode()
    assert response.status_code == 409
    assert "changed by rita at" in page
    assert "Yonhap" in page and 'name="version" value="2"' in page  # the fresh state, ready to decide again
    fresh = Claim.objects.get(pk=claim.pk)
    assert (fresh.status, fresh.version) == ("pending", 2)


def test_a_deleted_claim_is_reported(client, claims, rita, editor):
    from annotate.services import delete_claim

    delete_claim(claim=claims[0], actor=rita, version=1)
    client.force_login(editor)
    response = decide(client, claims[0], "accept")
    assert response.status_code == 409 and "deleted in the meantime" in response.content.decode()


# ---- the queue ----------------------------------------------------------------------------------------


def test_queue_shows_oldest_first_with_count_and_card_details(client, claims, editor):
    client.force_login(editor)
    page = client.get(reverse("review:queue")).content.decode()
    assert "3 left" in page
    assert f'data-claim="{claims[0].pk}"' in page and "KCNA" in page and "rita" in page
    decide(client, claims[0], "accept")
    page = client.get(reverse("review:queue")).content.decode()
    assert "2 left" in page and f'data-claim="{claims[1].pk}"' in page


def test_queue_filters(client, claims, editor):
    client.force_login(editor)
    page = client.get(reverse("review:queue"), {"kind": "unsourced_quote"}).content.decode()
    assert "1 left" in page and f'data-claim="{claims[2].pk}"' in page
    make_user("nobody")  # who tagged nothing
    page = client.get(reverse("review:queue"), {"annotator": "nobody"}).content.decode()
    assert "0 left" in page and "Nothing left to review with these filters" in page
    page = client.get(reverse("review:queue"), {"annotator": "no-such-user"}).content.decode()
    assert "Unknown annotator “no-such-user”. Ignored." in page
    decide(client, claims[0], "reject", reason="other")
    page = client.get(reverse("review:queue"), {"status": "rejected"}).content.decode()
    assert "1 left" in page and f'data-claim="{claims[0].pk}"' in page


def test_two_editors_get_different_cards(claims, editor):
    other = make_user("olga", role="editor")
    everything = Claim.objects.all()
    mine = review.take_next(everything, editor=editor)
    theirs = review.take_next(everything, editor=other)
    assert mine.pk == claims[0].pk and theirs.pk == claims[1].pk
    assert review.take_next(everything, editor=editor).pk == mine.pk  # a reload keeps one's card


def test_a_lease_expires(claims, editor):
    other = make_user("olga", role="editor")
    with override_settings(REVIEW_LEASE_SECONDS=-1):
        first = review.take_next(Claim.objects.all(), editor=editor)
    assert review.take_next(Claim.objects.all(), editor=other).pk == first.pk


def test_skip_moves_on_and_unskip_brings_cards_back(client, claims, editor):
    client.force_login(editor)
    client.get(reverse("review:queue"))
    response = client.post(reverse("review:skip", args=[claims[0].pk]), headers=HTMX)
    assert f'data-claim="{claims[1].pk}"' in response.content.decode()
    assert Claim.objects.get(pk=claims[0].pk).locked_by is None  # back for other editors
    client.post(reverse("review:skip", args=[claims[1].pk]), headers=HTMX)
    response = client.post(reverse("review:skip", args=[claims[2].pk]), headers=HTMX)
    assert "Bring back 3 skipped cards" in response.content.decode()
    response = client.post(reverse("review:unskip"), headers=HTMX)
    assert f'data-claim="{claims[0].pk}"' in response.content.decode()


def test_undo_restores_the_claim_and_logs_it(client, claims, editor):
    client.force_login(editor)
    decide(client, claims[0], "accept")
    decide(client, claims[1], "reject", reason="not_a_claim", note="An opinion")
    response = client.post(reverse("review:undo"), headers=HTMX)
    assert response.status_code == 200 and "pending again" in response.content.decode()
    second = Claim.objects.get(pk=claims[1].pk)
    assert (second.status, second.reviewer, second.review_reason, second.review_note, second.version) == (
        "pending",
        None,
        "",
        "",
        3,
    )
    client.post(reverse("review:undo"), headers=HTMX)  # then the accept before it
    assert Claim.objects.get(pk=claims[0].pk).status == "pending"
    response = client.post(reverse("review:undo"), headers=HTMX)
    assert response.status_code == 400 and "Nothing to undo" in response.content.decode()
    actions = list(ReviewEvent.objects.filter(actor=editor).order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["accepted", "rejected", "undone", "undone"]


def test_undo_is_refused_when_the_claim_changed_since(client, claims, editor):
    other = make_user("olga", role="editor")
    client.force_login(editor)
    decide(client, claims[0], "reject", reason="wrong_span")
    review.decide(claim_id=claims[0].pk, version=2, editor=other, decision="accept")
    response = client.post(reverse("review:undo"), headers=HTMX)
    assert response.status_code == 409 and "changed by olga" in response.content.decode()
    assert Claim.objects.get(pk=claims[0].pk).status == "accepted"


def test_bulk_accept_accepts_the_ticked_and_reports_stale_ones(client, claims, rita, editor):
    update_claim(claim=claims[1], actor=rita, version=1, kind=kind(), source_name="Changed")
    client.force_login(editor)
    response = client.post(
        reverse("review:bulk_accept"),
        {"claim": [f"{claims[0].pk}:1", f"{claims[1].pk}:1", f"{claims[2].pk}:1"]},
        headers=HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 409 and "Accepted 2 claims" in page and f"Claim {claims[1].pk}" in page
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses == {claims[0].pk: "accepted", claims[1].pk: "pending", claims[2].pk: "accepted"}


def test_queue_query_count_does_not_grow(client, article, rita, editor, django_assert_max_num_queries):
    client.force_login(editor)
    url = reverse("review:queue")
    for n in range(3):
        make_claim(article, n, n + 3, annotator=rita)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(3, 30):
        make_claim(article, n, n + 3, annotator=rita)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# ---- a claim's page --------------------------------------------------------------------------------------


def test_claim_page_shows_history_and_masks_sensitive_names(client, article, rita, editor):
    claim = make_claim(article, 30, 51, kind_slug="in_country_informant", annotator=rita, source_name="Hoeryong man")
    claim.source.sensitive = True
    claim.source.save()
    review.decide(claim_id=claim.pk, version=1, editor=editor, decision="changes", reason="wrong_span", note="Trim")
    url = reverse("review:claim", args=[claim.pk])
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "Hoeryong man" in page and "changes requested" in page and "Trim" in page
    client.force_login(make_user("viewer"))
    page = client.get(url).content.decode()
    assert "Hoeryong man" not in page and "Protected source 1" in page


# ---- independent tagging -----------------------------------------------------------------------------


def test_independent_articles_hide_others_unreviewed_claims_from_reviewers(client, article, rita, editor):
    olga = make_user("olga")
    mine = make_claim(article, 0, 29, annotator=rita)
    theirs = make_claim(article, 30, 51, annotator=olga, kind_slug="in_country_informant")
    accepted = make_claim(article, 52, 64, annotator=olga, kind_slug="unsourced_quote")
    review.decide(claim_id=accepted.pk, version=1, editor=editor, decision="accept")
    article.independent = True
    article.save()
    client.force_login(rita)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="claim-{mine.pk}"' in page and f'id="claim-{accepted.pk}"' in page
    assert f'id="claim-{theirs.pk}"' not in page
    assert client.get(reverse("review:claim", args=[theirs.pk])).status_code == 404
    claims_page = client.get(reverse("annotate:claim_list"), {"status": "all"}).content.decode()
    assert "Nobody voted against" not in claims_page
    client.force_login(editor)
    assert f'id="claim-{theirs.pk}"' in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("independent", [False, True])
def test_one_articles_claims_follow_the_same_rule_as_every_claim(article, rita, editor, independent):
    """`Claim.objects.on(article, user)`, which the reading view and a tag ask, decides as `visible_to` does,
    for each kind of reader, claim status and author."""
    olga, other = make_user("olga"), make_article("Another report. Pending elsewhere.")
    claims = [
        make_claim(article, 0, 29, annotator=rita),
        make_claim(article, 30, 51, annotator=olga, kind_slug="in_country_informant"),
        make_claim(article, 52, 64, annotator=olga, kind_slug="unsourced_quote"),
        make_claim(article, 0, 12, annotator=editor, kind_slug="unsourced_quote"),
        make_claim(other, 0, 15, annotator=olga),
    ]
    review.decide(claim_id=claims[2].pk, version=1, editor=editor, decision="accept")
    article.independent = other.independent = independent
    article.save()
    other.save()
    for reader in (rita, olga, editor, make_user("nobody", role=None)):
        expected = set(Claim.objects.visible_to(reader).filter(article=article).values_list("pk", flat=True))
        assert set(Claim.objects.on(article, reader).values_list("pk", flat=True)) == expected
    assert len(set(Claim.objects.on(article, rita).values_list("pk", flat=True))) == (2 if independent else 4)


def test_agreement_pages(client, article, rita, editor):
    olga = make_user("olga")
    make_claim(article, 0, 29, annotator=rita, kind_slug="state_media")
    make_claim(article, 0, 28, annotator=olga, kind_slug="state_media")  # overlaps: same unit
    make_claim(article, 30, 51, annotator=rita, kind_slug="in_country_informant")
    make_claim(article, 30, 51, annotator=olga, kind_slug="unsourced_quote")
    disputed = make_claim(article, 52, 64, annotator=rita, kind_slug="unsourced_quote")
    client.force_login(editor)
    response = client.post(reverse("review:article_independent", args=[article.slug]), {"independent": "on"})
    assert response.status_code == 302
    page = client.get(reverse("review:article_agreement", args=[article.slug])).content.decode()
    assert "Tagged independently" in page
    assert "missed by olga" in page and "kinds differ" in page
    assert f"claim={disputed.pk}" in page  # each disagreement links to the queue
    exact = client.get(reverse("review:article_agreement", args=[article.slug]), {"mode": "exact"}).content.decode()
    assert exact.count("missed by") == 3  # 0-29 and 0-28 no longer match
    overview = client.get(reverse("review:agreement")).content.decode()
    assert article.title in overview


def test_review_decisions_validate_in_the_service(claims, editor):
    with pytest.raises(ValidationError):
        review.decide(claim_id=claims[0].pk, version=1, editor=editor, decision="reject")
    with pytest.raises(StaleEdit):
        review.decide(claim_id=claims[0].pk, version=7, editor=editor, decision="accept")
    with pytest.raises(PermissionDenied):
        review.decide(claim_id=claims[0].pk, version=1, editor=make_user("x"), decision="accept")


def test_up_next_offers_ones_own_claims_when_the_desk_lets_editors_accept_them(client, article, editor):
    own = [make_claim(article, 0, 29, annotator=editor), make_claim(article, 30, 51, annotator=editor)]
    other = make_claim(article, 52, 64, annotator=make_user("rita"))
    client.force_login(editor)

    def disabled_boxes(page):
        return {claim.pk for claim in own + [other] if f'value="{claim.pk}:1" disabled' in page}

    with override_settings(REVIEW_SELF_ACCEPT=True):
        page = client.get(reverse("review:queue")).content.decode()
        assert "Up next" in page and disabled_boxes(page) == set()


# ---- sensitive names, collisions, odd input ------------------------------------------------------------


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


def test_queue_with_a_claim_that_is_not_a_number_is_not_found(client, editor):
    client.force_login(editor)
    assert client.get(reverse("review:queue"), {"claim": "abc"}).status_code == 404


def test_the_queue_says_how_long_ago_a_claim_was_tagged_in_words(client, claims, editor):
    import datetime as dt

    from django.utils import timezone

    Claim.objects.filter(pk=claims[1].pk).update(created=timezone.now() - dt.timedelta(hours=3, minutes=5))
    client.force_login(editor)
    page = client.get(reverse("review:queue")).content.decode().replace("\xa0", " ")
    assert "0 minutes ago" not in page
    assert re.search(r">now</time>|· now</span>", page) and "3 hours ago" in page
