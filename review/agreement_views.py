"""Agreement between reviewers who tag an article independently: per article, pooled, and where they differ."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotate.models import Claim, ProvenanceKind, ReviewEvent
from annotate.spans import sentence_around
from corpus.models import Article

from . import agreement


def _editor(request) -> None:
    if not request.user.has_perm("annotate.review_claim"):
        raise PermissionDenied("Only editors can review claims.")


def _tagged_kinds(claims) -> dict[int, str]:
    """Each claim's kind as its annotator last set it, by claim id.

    Agreement is between what the reviewers tagged: an editor's correction of a kind is not their choice.
    """
    known = set(ProvenanceKind.objects.values_list("slug", flat=True))
    events = (
        ReviewEvent.objects.filter(
            claim__in=claims.values("pk"),
            action__in=[ReviewEvent.Action.CREATED, ReviewEvent.Action.EDITED],
            actor_id=F("claim__annotator_id"),
        )
        .order_by("at", "pk")
        .values_list("claim_id", "after__kind")
    )
    return {pk: slug for pk, slug in events if slug in known}


def _spans(claims, kinds: dict[int, str]) -> list[agreement.Span]:
    return [
        agreement.Span(c.annotator.get_username(), c.start, c.end, kinds.get(c.pk, c.kind.slug), ref=c.pk)
        for c in claims
    ]


def _mode(request) -> str:
    return "exact" if request.GET.get("mode") == "exact" else "overlap"


@require_GET
def agreement_overview(request):
    """Agreement on every independently tagged article, and pooled over all of them."""
    _editor(request)
    mode = _mode(request)
    articles = list(Article.objects.filter(independent=True).select_related("outlet").defer("text"))
    claims = Claim.objects.filter(article__in=articles).select_related("kind", "annotator").order_by("start", "pk")
    kinds = _tagged_kinds(claims)
    by_article = {article.pk: [] for article in articles}
    for claim in claims:
        by_article[claim.article_id].append(claim)
    rows = [(article, agreement.agreement(_spans(by_article[article.pk], kinds), mode=mode)) for article in articles]
    pooled = agreement.pool([report for _, report in rows])
    context = {"rows": rows, "pooled": pooled, "mode": mode}
    return render(request, "review/agreement.html", context)


@require_GET
def article_agreement(request, slug):
    """Agreement between the reviewers of one independently tagged article, with each disagreement."""
    _editor(request)
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    mode = _mode(request)
    on_article = Claim.objects.filter(article=article).select_related("kind", "annotator").order_by("start", "pk")
    claims = {c.pk: c for c in on_article}
    report = agreement.agreement(_spans(claims.values(), _tagged_kinds(on_article)), mode=mode)
    kinds = {k.slug: k for k in ProvenanceKind.objects.all()}
    disagreements = []
    for item in report.disagreements:
        unit = item.unit
        before, after = sentence_around(article.text, unit.start, unit.end)
        tags = [(span.annotator, kinds[span.kind], claims[span.ref]) for span in unit.spans]
        disagreements.append(
            {
                "item": item,
                "before": before,
                "quote": article.text[unit.start : unit.end],
                "after": after,
                "tags": tags,
            }
        )
    context = {"article": article, "report": report, "disagreements": disagreements, "mode": mode}
    return render(request, "review/article_agreement.html", context)


def independent_toggle_allowed(user) -> bool:
    return user.has_perm("corpus.change_article")


@require_POST
def article_independent(request, slug):
    """Editors mark an article for independent tagging (or take the mark off)."""
    if not independent_toggle_allowed(request.user):
        raise PermissionDenied
    article = get_object_or_404(Article, slug=slug)
    Article.objects.filter(pk=article.pk).update(independent=request.POST.get("independent") == "on")
    return redirect(reverse("review:article_agreement", args=[slug]))
