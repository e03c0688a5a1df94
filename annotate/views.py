from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from corpus.models import Article

from .forms import ClaimEditForm, ClaimForm, DeleteForm
from .models import Claim, ProvenanceKind
from .rendering import article_html
from .services import StaleEdit, create_claim, delete_claim, update_claim


def _error(request, message: str, *, status: int, target: str):
    """An error the page shows inline (htmx) or as a short page of its own (no JavaScript)."""
    template = "annotate/_error.html" if request.htmx else "annotate/error.html"
    response = render(request, template, {"message": message}, status=status)
    if request.htmx:
        response = reswap(retarget(response, target), "innerHTML")
    return response


def _form_message(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


@require_GET
@login_required
def article_list(request):
    """All articles, searchable by title and outlet, each with a bar of its claims by kind."""
    query = request.GET.get("q", "").strip()
    articles = Article.objects.select_related("outlet").defer("text")
    if query:
        articles = articles.search(query)
    page = Paginator(articles, 50).get_page(request.GET.get("page"))
    kinds = list(ProvenanceKind.objects.all())
    counts = Counter()
    for row in (
        Claim.objects.filter(article__in=[a.pk for a in page])
        .values("article_id", "kind_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["article_id"], row["kind_id"]] = row["n"]
    for article in page:
        article.kind_counts = [(kind, counts[article.pk, kind.pk]) for kind in kinds if counts[article.pk, kind.pk]]
        article.claim_total = sum(n for _, n in article.kind_counts)
    template = "annotate/article_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {"page": page, "query": query, "kinds": kinds})


def _reading_context(request, article: Article) -> dict:
    claims = list(Claim.objects.for_article(article))
    kinds = list(ProvenanceKind.objects.all())
    per_kind = Counter(claim.kind_id for claim in claims)
    for claim in claims:
        claim.editable = claim.is_editable_by(request.user)
    return {
        "article": article,
        "claims": claims,
        "body": article_html(article.text, claims),
        "kinds": kinds,
        "active_kinds": [k for k in kinds if k.active],
        "legend": [(kind, per_kind[kind.pk]) for kind in kinds if kind.active or per_kind[kind.pk]],
        "can_tag": request.user.has_perm("annotate.add_claim"),
    }


def _reading(request, article: Article, *, status: int = 200):
    return render(request, "annotate/article_detail.html#reading", _reading_context(request, article), status=status)


@require_GET
@login_required
def article_detail(request, slug):
    """The reading view: the text with its highlights, a legend, the claims in text order, the tag panel."""
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    template = "annotate/article_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#reading"
    return render(request, template, _reading_context(request, article))


@require_http_methods(["GET", "POST"])
@login_required
def article_claims(request, slug):
    """GET: the cards of some claims (?ids=1,2) for the highlight popover. POST: tag a new claim."""
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    if request.method == "POST":
        return _create_claim(request, article)
    ids = [int(i) for i in request.GET.get("ids", "").replace(",", " ").split() if i.isdigit()][:50]
    claims = list(Claim.objects.for_article(article).filter(pk__in=ids)) if ids else []
    for claim in claims:
        claim.editable = claim.is_editable_by(request.user)
    template = "annotate/claim_cards.html" + ("#cards" if request.htmx else "")
    return render(request, template, {"article": article, "claims": claims})


def _create_claim(request, article):
    if not request.user.has_perm("annotate.add_claim"):
        return _error(request, "You do not have permission to tag claims.", status=403, target="#tag-errors")
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _error(request, _form_message(form), status=400, target="#tag-errors")
    data = form.cleaned_data
    try:
        claim = create_claim(
            article=article,
            start=data["start"],
            end=data["end"],
            exact=data["exact"],
            kind=data["kind"],
            source_name=data["source"],
            note=data["note"],
            annotator=request.user,
        )
    except ValidationError as exc:
        return _error(request, " ".join(exc.messages), status=400, target="#tag-errors")
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}#claim-{claim.pk}")
    return trigger_client_event(_reading(request, article, status=201), "claim-saved", {"id": claim.pk})


def _claim_for_author(request, pk) -> Claim:
    claim = get_object_or_404(Claim.objects.select_related("article", "kind"), pk=pk)
    if not claim.is_editable_by(request.user):
        raise PermissionDenied
    return claim


@require_http_methods(["GET", "POST"])
@login_required
def claim_edit(request, pk):
    """Edit form for one's own pending claim (GET), and saving it with a stale-edit check (POST)."""
    target = f"#claim-errors-{pk}"
    try:
        claim = _claim_for_author(request, pk)
    except PermissionDenied:
        return _error(request, "Only the author of a pending claim can edit it.", status=403, target=target)
    if request.method == "GET":
        form = ClaimEditForm(
            claim=claim,
            initial={
                "kind": claim.kind.slug,
                "source": claim.source_name,
                "note": claim.note,
                "version": claim.version,
            },
        )
        template = "annotate/claim_edit.html" + ("#form" if request.htmx else "")
        return render(request, template, {"claim": claim, "form": form})
    form = ClaimEditForm(request.POST, claim=claim)
    if not form.is_valid():
        return _error(request, _form_message(form), status=400, target=target)
    data = form.cleaned_data
    try:
        update_claim(
            claim=claim,
            actor=request.user,
            version=data["version"],
            kind=data["kind"],
            source_name=data["source"],
            note=data["note"],
        )
    except StaleEdit as exc:
        return _error(request, str(exc), status=409, target=target)
    except ValidationError as exc:
        return _error(request, " ".join(exc.messages), status=400, target=target)
    if not request.htmx:
        return redirect(f"{claim.article.get_absolute_url()}#claim-{claim.pk}")
    return trigger_client_event(_reading(request, claim.article), "claim-saved", {"id": claim.pk})


@require_POST
@login_required
def claim_delete(request, pk):
    """Delete one's own pending claim; its highlight disappears."""
    target = f"#claim-errors-{pk}"
    try:
        claim = _claim_for_author(request, pk)
    except PermissionDenied:
        return _error(request, "Only the author of a pending claim can delete it.", status=403, target=target)
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return _error(
            request, "The request did not say which version of the claim to delete.", status=400, target=target
        )
    try:
        delete_claim(claim=claim, actor=request.user, version=form.cleaned_data["version"])
    except StaleEdit as exc:
        return _error(request, str(exc), status=409, target=target)
    if not request.htmx:
        return redirect(claim.article.get_absolute_url())
    return trigger_client_event(_reading(request, claim.article), "claim-deleted", {"id": pk})
