import csv
from collections import Counter, defaultdict
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from corpus.models import Article

from . import dashboard
from .export import csv_safe
from .filters import NO_FACT, Filters
from .forms import ClaimEditForm, ClaimForm, ConflictForm, DeleteForm, MergeForm, SourceForm
from .masking import mask_for
from .models import Claim, Fact, ProvenanceKind, Source, SourceAlias
from .names import name_key
from .presenters import fact_ref, fact_refs, present_all
from .rendering import article_html, claim_list_html, highlights
from .services import (
    StaleEdit,
    create_claim,
    delete_claim,
    merge_sources,
    set_conflict,
    shown_fact,
    shown_source,
    update_claim,
)


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
        Claim.objects.visible_to(request.user)
        .filter(article__in=[a.pk for a in page])
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
    kinds = list(ProvenanceKind.objects.all())
    claims = highlights(
        Claim.objects.visible_to(request.user).filter(article=article), {k.pk: k for k in kinds}, request.user
    )
    per_kind = Counter(claim.kind.pk for claim in claims)
    return {
        "article": article,
        "claims": claims,
        "claim_items": claim_list_html(claims),
        "body": article_html(article.text, claims),
        "kinds": kinds,
        "active_kinds": [k for k in kinds if k.active],
        "legend": [(kind, per_kind[kind.pk]) for kind in kinds if kind.active or per_kind[kind.pk]],
        "can_tag": request.user.has_perm("annotate.add_claim"),
        "directness_choices": [("", "Not said"), *Claim.Directness.choices],
    }


def _reading(request, article: Article, *, status: int = 200):
    return render(request, "annotate/article_detail.html#reading", _reading_context(request, article), status=status)


@require_GET
def article_detail(request, slug):
    """The reading view: the text with its highlights, a legend, the claims in text order, the tag panel."""
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    template = "annotate/article_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#reading"
    return render(request, template, _reading_context(request, article))


@require_http_methods(["GET", "POST"])
def article_claims(request, slug):
    """GET: the cards of the claims at a code point (?at=N) or of some claims (?ids=1,2), for the highlight
    popover. POST: tag a new claim."""
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    if request.method == "POST":
        return _create_claim(request, article)
    visible = Claim.objects.visible_to(request.user).for_article(article)
    ids = [int(i) for i in request.GET.get("ids", "").replace(",", " ").split() if i.isdigit() and len(i) < 10][:50]
    at = request.GET.get("at", "")
    if at.isdigit() and len(at) < 10:  # every claim over this code point, innermost last, as the highlight stacks them
        claims = list(visible.filter(start__lte=int(at), end__gt=int(at))[:200])
    else:
        claims = list(visible.filter(pk__in=ids)) if ids else []
    claims = present_all(claims, request.user)
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
            fact_statement=data["fact"],
            via=data["via"],
            directness=data["directness"],
            note=data["note"],
            annotator=request.user,
        )
    except ValidationError as exc:
        return _error(request, " ".join(exc.messages), status=400, target="#tag-errors")
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}#claim-{claim.pk}")
    return trigger_client_event(_reading(request, article, status=201), "claim-saved", {"id": claim.pk})


def _claim_for_author(request, pk, permission: str) -> Claim:
    """The claim, if the user holds the permission and is its author while it is pending."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    # A claim the user may not see is as missing as one that does not exist: the answer must not differ.
    claim = get_object_or_404(
        Claim.objects.visible_to(request.user).select_related("article", "kind", "source", "fact"), pk=pk
    )
    if not claim.is_editable_by(request.user):
        raise PermissionDenied
    return claim


@require_http_methods(["GET", "POST"])
def claim_edit(request, pk):
    """Edit form for one's own pending claim (GET), and saving it with a stale-edit check (POST)."""
    target = f"#claim-errors-{pk}"
    try:
        claim = _claim_for_author(request, pk, "annotate.change_claim")
    except PermissionDenied:
        return _error(request, "Only the author of a pending claim can edit it.", status=403, target=target)
    if request.method == "GET":
        form = ClaimEditForm(
            claim=claim,
            initial={
                "kind": claim.kind.slug,
                "source": shown_source(claim, request.user),
                "fact": shown_fact(claim, request.user),
                "via": claim.via,
                "directness": claim.directness,
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
            fact_statement=data["fact"],
            via=data["via"],
            directness=data["directness"],
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
def claim_delete(request, pk):
    """Delete one's own pending claim; its highlight disappears."""
    target = f"#claim-errors-{pk}"
    try:
        claim = _claim_for_author(request, pk, "annotate.delete_claim")
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


# ---- autocomplete ------------------------------------------------------------------------------

SUGGESTIONS = 12


@require_GET
def source_suggest(request):
    """<option>s of known sources matching what is typed in the Source field, each with its kind."""
    text = request.GET.get("source", "").strip()
    sources = []
    if text:
        sources = (
            Source.objects.visible_to(request.user)
            .matching(text)
            .select_related("kind")
            .prefetch_related("aliases")
            .order_by("name")[:SUGGESTIONS]
        )
    options = []
    for source in sources:
        # The browser filters a datalist by what is typed, so a match on an alias must show that alias.
        label = source.kind.label
        if text.lower() not in source.name.lower():
            alias = next((a.name for a in source.aliases.all() if text.lower() in a.name.lower()), "")
            label += f" · also “{alias}”"
        options.append((source.name, label, source.kind.slug))
    return render(request, "annotate/suggestions.html", {"options": options})


@require_GET
def fact_suggest(request):
    """<option>s of facts whose statement matches what is typed in the Fact field."""
    text = request.GET.get("fact", "").strip()
    facts = Fact.objects.visible_to(request.user).matching(text).order_by("statement") if text else []
    # Matched again on what the user sees, so that typing part of a name hidden in a statement finds nothing.
    shown = (ref for ref in fact_refs(facts[: SUGGESTIONS * 4], request.user) if _contains(ref.statement, text))
    options = [(ref.statement, "", "") for ref in shown][:SUGGESTIONS]
    return render(request, "annotate/suggestions.html", {"options": options})


def _contains(statement: str, text: str) -> bool:
    return text.casefold() in statement.casefold() or slugify(text) in slugify(statement)


# ---- facts ---------------------------------------------------------------------------------------


def _fact_filters() -> Filters:
    """The fact pages count pending claims as well as accepted ones (the dashboard, by default, accepted ones)."""
    return Filters(status="with_pending")


@require_GET
def fact_list(request):
    """Every fact with the number of claims and articles behind it and the kinds they rest on."""
    board = dashboard.build(_fact_filters(), request.user, article_rows=0)
    shown = {row.fact.pk for row in board.facts}
    unsupported = fact_refs(Fact.objects.visible_to(request.user).exclude(pk__in=shown), request.user)
    return render(request, "annotate/fact_list.html", {"board": board, "unsupported": unsupported})


@require_GET
def fact_detail(request, slug):
    """Every claim of one fact across articles, with its sentence, kind, source and status; conflicts."""
    fact = get_object_or_404(Fact.objects.visible_to(request.user), slug=slug)
    claims = present_all(
        Claim.objects.visible_to(request.user)
        .filter(fact=fact)
        .with_related()
        .select_related("article__outlet")
        .order_by("article__published", "article__title", "start"),
        request.user,
        in_context=True,
    )
    conflicts = list(fact.conflicts.visible_to(request.user).order_by("statement"))
    conflict_claims = defaultdict(list)
    others = (
        Claim.objects.visible_to(request.user)
        .filter(fact__in=conflicts)
        .with_related()
        .select_related("article__outlet")
    )
    for card in present_all(others, request.user):
        conflict_claims[card.fact.pk].append(card)
    board = dashboard.build(_fact_filters(), request.user, fact=fact, article_rows=0)
    row = board.facts[0] if board.facts else None
    can_edit = request.user.has_perm("annotate.change_fact")
    other_facts = Fact.objects.exclude(pk=fact.pk).exclude(pk__in=[f.pk for f in conflicts]).order_by("statement")
    mask = mask_for(request.user)
    context = {
        "fact": fact_ref(fact, mask),
        "fact_note": mask.text(fact.note),
        "claims": claims,
        "row": row,
        "conflicts": [(fact_ref(other, mask), conflict_claims[other.pk]) for other in conflicts],
        "can_edit": can_edit,
        "other_facts": fact_refs(other_facts, request.user) if can_edit else [],
    }
    return render(request, "annotate/fact_detail.html", context)


@require_POST
def fact_conflict(request, slug):
    """Editors mark or unmark two facts as conflicting."""
    fact = get_object_or_404(Fact, slug=slug)
    if not request.user.has_perm("annotate.change_fact"):
        return _error(request, "Only editors can mark facts as conflicting.", status=403, target="#conflict-errors")
    form = ConflictForm(request.POST)
    other = Fact.objects.filter(slug=form.data.get("other", "")).first() if form.is_valid() else None
    if other is None:
        return _error(request, "Choose the fact that this one conflicts with.", status=400, target="#conflict-errors")
    try:
        set_conflict(fact=fact, other=other, conflicting=form.cleaned_data["conflicting"])
    except ValidationError as exc:
        return _error(request, " ".join(exc.messages), status=400, target="#conflict-errors")
    return redirect(fact.get_absolute_url())


# ---- sources -------------------------------------------------------------------------------------


def _editor_only(request, permission="annotate.change_source"):
    if not request.user.has_perm(permission):
        raise PermissionDenied


@require_GET
def source_list(request):
    """Editors: every source with its kind, aliases and number of claims."""
    _editor_only(request)
    query = request.GET.get("q", "").strip()
    sources = (
        Source.objects.select_related("kind").prefetch_related("aliases").annotate(n=Count("claims", distinct=True))
    )
    if query:
        sources = sources.matching(query)
    return render(request, "annotate/source_list.html", {"sources": sources, "query": query})


@require_http_methods(["GET", "POST"])
def source_edit(request, pk):
    """Editors: rename a source, change its kind, aliases, description or sensitivity; merge it away."""
    _editor_only(request)
    source = get_object_or_404(Source.objects.select_related("kind"), pk=pk)
    aliases = "\n".join(source.aliases.values_list("name", flat=True))
    form = SourceForm(request.POST or None, instance=source, initial={"aliases": aliases})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            source.aliases.all().delete()
            SourceAlias.objects.bulk_create(
                SourceAlias(source=source, name=name, key=name_key(name)) for name in form.cleaned_data["aliases"]
            )
        return redirect("annotate:source_list")
    merge = MergeForm()
    merge.fields["into"].queryset = Source.objects.exclude(pk=source.pk)
    status = 400 if form.errors else 200
    return render(request, "annotate/source_edit.html", {"source": source, "form": form, "merge": merge}, status=status)


@require_POST
def source_merge(request, pk):
    """Editors: fold this source into another; its claims move over and its name becomes an alias."""
    _editor_only(request)
    source = get_object_or_404(Source, pk=pk)
    form = MergeForm(request.POST)
    form.fields["into"].queryset = Source.objects.exclude(pk=source.pk)
    if not form.is_valid():
        return _error(request, "Choose the source to merge into.", status=400, target="#merge-errors")
    try:
        merge_sources(source=source, into=form.cleaned_data["into"], actor=request.user)
    except ValidationError as exc:
        return _error(request, " ".join(exc.messages), status=400, target="#merge-errors")
    return redirect("annotate:source_edit", pk=form.cleaned_data["into"].pk)


# ---- claims, dashboard -----------------------------------------------------------------------------


@require_GET
def claim_list(request):
    """Claims passing the dashboard's filters (and ?fact=): where every dashboard number leads."""
    filters = Filters.from_query(request.GET, user=request.user)
    if "fact" in filters.errors:  # the page of one fact's claims: a fact that is not there is not found
        raise Http404(filters.errors["fact"][0])
    claims = filters.apply(Claim.objects.visible_to(request.user).with_related().select_related("article__outlet"))
    fact = None
    if filters.fact and filters.fact != NO_FACT:
        fact = fact_ref(Fact.objects.get(slug=filters.fact), mask_for(request.user))
    page = Paginator(claims.order_by("article__title", "start", "pk"), 100).get_page(request.GET.get("page"))
    page.object_list = present_all(page.object_list, request.user, in_context=True)
    kind_filters = list(ProvenanceKind.objects.filter(slug__in=filters.kinds)) if filters.kinds else []
    context = {
        "page": page,
        "fact": fact,
        "unlinked": filters.fact == NO_FACT,
        "fact_query": urlencode({"fact": filters.fact}) if filters.fact else "",
        "filters": filters,
        "narrowed": filters.without("fact").active,
        "kind_filters": kind_filters,
    }
    return render(request, "annotate/claim_list.html", context)


FACTS_PER_PAGE = 100
ARTICLE_ROWS = 40  # of the kind mix per article; the JSON has every article


@require_GET
def dashboard_view(request):
    """Which facts rest on which kinds of source; flags, charts and filters kept in the URL."""
    filters = Filters.from_query(request.GET, user=request.user)
    board = dashboard.build(filters, request.user, article_rows=ARTICLE_ROWS)
    # The matrix shows a page of facts (most articles first); the JSON and CSV carry them all.
    facts = Paginator(board.facts, FACTS_PER_PAGE).get_page(request.GET.get("page"))
    template = "annotate/dashboard.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request, template, {"board": board, "facts": facts, "options": dashboard.filter_options(filters.article)}
    )


@require_GET
def dashboard_json(request):
    """The dashboard's data, with the same filters, as JSON."""
    board = dashboard.build(Filters.from_query(request.GET, user=request.user), request.user)
    return JsonResponse(dashboard.as_json(board) | {"errors": board.filters.messages}, json_dumps_params={"indent": 1})


@require_GET
def dashboard_csv(request):
    """The facts-by-kind matrix, with the same filters, as a CSV download."""
    board = dashboard.build(Filters.from_query(request.GET, user=request.user), request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="provenance-matrix.csv"'
    writer = csv.writer(response)
    writer.writerows([csv_safe(cell) for cell in row] for row in dashboard.matrix_rows(board))
    return response
