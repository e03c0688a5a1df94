"""Adding articles in the browser (editors): what to add, a preview to correct, the save; revisions."""

from __future__ import annotations

import difflib

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotate.models import Claim
from annotate.presenters import present_all
from corpus.models import Article, Revision

from .extract import Draft, draft_from_text, extract
from .forms import AddForm, DraftFormSet
from .problems import IngestProblem
from .saving import draft_from_url, duplicate_of, revision_target, save_draft

editors_only = permission_required("corpus.add_article", raise_exception=True)


def _initial(draft: Draft) -> dict:
    target = revision_target(draft)
    return {
        "keep": True,
        "origin": draft.origin,
        "title": draft.title,
        "author": draft.author,
        "published": draft.published,
        "outlet": draft.outlet,
        "source_url": draft.source_url,
        "language": draft.language,
        "revision_of": target.slug if target else "",
        "text": draft.text,
    }


def _gather(form: AddForm) -> tuple[list[Draft], list[tuple[str, str]]]:
    """Every draft the form asks for, and one (what, why) line for each that failed or is stored already."""
    drafts, problems = [], []
    items = [(url, lambda url=url: draft_from_url(url)) for url in form.cleaned_data["url_list"]]
    for upload in form.cleaned_data["files"]:
        data = upload.read()
        items.append((upload.name, lambda d=data, u=upload: extract(d, name=u.name, content_type=u.content_type or "")))
    if (text := form.cleaned_data["text"]).strip():
        items.append(("pasted text", lambda: draft_from_text(text, title=form.cleaned_data["title"])))
    for what, make in items:
        try:
            draft = make()
        except IngestProblem as exc:
            problems.append((what, str(exc), None))
            continue
        draft.origin = draft.origin or what
        if found := duplicate_of(draft.text):
            article, number = found
            where = f"revision {number} of " if number else ""
            problems.append((what, f"duplicate: already stored as {where}", article))
            continue
        drafts.append(draft)
    return drafts, problems


@require_http_methods(["GET", "POST"])
@editors_only
def add(request):
    """GET: the form. POST: fetch and extract each item, then the preview to correct before saving."""
    form = AddForm(request.POST, request.FILES) if request.method == "POST" else AddForm()
    if request.method == "GET" or not form.is_valid():
        return render(request, "ingest/add.html", {"form": form}, status=200 if request.method == "GET" else 400)
    drafts, problems = _gather(form)
    formset = DraftFormSet(initial=[_initial(d) for d in drafts])
    return render(request, "ingest/preview.html", {"formset": formset, "problems": problems})


@require_POST
@editors_only
def save(request):
    """Save each kept draft of the preview: one line per draft, created, revised, duplicate or failed."""
    formset = DraftFormSet(request.POST)
    if not formset.is_valid():
        return render(request, "ingest/preview.html", {"formset": formset, "problems": []}, status=400)
    results = []
    for form in formset:
        data = form.cleaned_data
        if not data or not data.get("keep"):
            continue
        draft = Draft(
            text=data["text"],
            title=data["title"],
            author=data["author"],
            published=data["published"],
            outlet=data["outlet"],
            source_url=data["source_url"],
            language=data["language"],
            origin=data["origin"] or data["title"],
        )
        results.append((draft.origin, save_draft(draft, actor=request.user, revision_of=data["revision_of"])))
    return render(request, "ingest/saved.html", {"results": results})


def _orphans(request, article: Article):
    claims = Claim.objects.on(article, request.user).filter(orphaned=True).with_related()
    return present_all(list(claims.select_related("article__outlet").order_by("revision", "start", "pk")), request.user)


@require_GET
def revisions(request, slug):
    """An article's revisions, newest first, and the claims its changes orphaned."""
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    older = list(Revision.objects.filter(article=article).defer("text").order_by("-number"))
    context = {"article": article, "revisions": older, "orphans": _orphans(request, article)}
    return render(request, "ingest/revisions.html", context)


def diff_rows(old: str, new: str) -> list[tuple[str, str]]:
    """The changes between two texts, by line: ("equal"|"delete"|"insert", text)."""
    rows = []
    a, b = old.split("\n"), new.split("\n")
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [("equal", line) for line in a[i1:i2]]
        else:
            rows += [("delete", line) for line in a[i1:i2]] + [("insert", line) for line in b[j1:j2]]
    return rows


@require_GET
def revision(request, slug, number):
    """An earlier revision's text, and what changed from it to the next."""
    article = get_object_or_404(Article.objects.select_related("outlet"), slug=slug)
    if number >= article.revision or number < 1:
        raise Http404("No such earlier revision.")
    old = get_object_or_404(Revision, article=article, number=number)
    following = Revision.objects.filter(article=article, number=number + 1).first()
    new_text = following.text if following else article.text
    context = {
        "article": article,
        "revision": old,
        "next_number": number + 1,
        "diff": diff_rows(old.text, new_text),
    }
    return render(request, "ingest/revision.html", context)
