"""The source and fact registry as reviewers meet it (autocomplete) and editors keep it (the sources pages)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .forms import MergeForm, SourceForm
from .models import Fact, Source, may_change
from .presenters import fact_refs
from .responses import inline_error
from .source_services import merge_sources, save_source

SUGGESTIONS = 12
FACT_CANDIDATES = 500


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
    """<option>s of facts whose statement matches what is typed in the tag panel's Fact field (`fact`) or in
    a fact page's Conflicts with field (`other`)."""
    text = (request.GET.get("fact") or request.GET.get("other") or "").strip()
    facts = Fact.objects.visible_to(request.user).matching(text).order_by("-pk") if text else []
    # Matched again on what the user sees, so that typing part of a name hidden in a statement finds nothing,
    # and ordered by it (`fact_refs`). The newest FACT_CANDIDATES are the candidates: a choice made by the
    # stored statements' order would depend on the names hidden in them.
    shown = (ref for ref in fact_refs(facts[:FACT_CANDIDATES], request.user) if _contains(ref.statement, text))
    options = [(ref.statement, "", "") for ref in shown][:SUGGESTIONS]
    return render(request, "annotate/suggestions.html", {"options": options})


def _contains(statement: str, text: str) -> bool:
    return text.casefold() in statement.casefold() or slugify(text) in slugify(statement)


def _editor_only(request, permission="annotate.change_source"):
    if not may_change(request.user, permission):
        raise PermissionDenied


@require_GET
def source_list(request):
    """Editors: every source with its kind, aliases and number of claims."""
    _editor_only(request)
    query = request.GET.get("q", "").strip()
    sources = (
        Source.objects.select_related("kind", "affiliation")
        .prefetch_related("aliases")
        .annotate(n=Count("claims", distinct=True))
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
        save_source(form=form)
        messages.success(request, f"Saved “{source.name}”.")
        if form.kept_former_name:
            messages.info(request, f"“{form.kept_former_name}” stays an alias, so that texts naming it stay hidden.")
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
        return inline_error(request, "Choose the source to merge into.", status=400, target="#merge-errors")
    into = form.cleaned_data["into"]
    confirmed = request.POST.get("confirm") == "yes"
    try:
        # First a trial run, rolled back: a merge that is not allowed is refused before anyone is asked
        # to confirm something that "cannot be undone".
        with transaction.atomic():
            # Fresh copies: merging deletes the source, and the page still names it after a trial run.
            trial = Source.objects.get(pk=source.pk), Source.objects.get(pk=into.pk)
            moved = merge_sources(source=trial[0], into=trial[1], actor=request.user)
            transaction.set_rollback(not confirmed)
    except ValidationError as exc:
        return inline_error(request, " ".join(exc.messages), status=400, target="#merge-errors")
    if not confirmed:
        context = {"source": source, "into": into, "moved": moved}
        if request.htmx:
            response = render(request, "annotate/source_edit.html#merge-confirm", context)
            return reswap(retarget(response, "#merge-errors"), "innerHTML")
        return render(request, "annotate/source_merge.html", context)
    messages.success(request, f"Merged “{source.name}” into “{into.name}”: {moved} claim{pluralize(moved)} moved.")
    return redirect("annotate:source_edit", pk=into.pk)
