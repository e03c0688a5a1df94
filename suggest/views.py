"""The suggestion pages: an article's suggested claims (a page, and the reading view's sidebar), accepting one
(as is, or edited) and dismissing one. Each works without JavaScript; with htmx the sidebar updates in place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from annotate.models import ProvenanceKind
from annotate.relays import VIA_SEPARATOR
from annotate.responses import form_message, inline_error
from config.input import number
from corpus.models import Article

from .forms import AcceptForm, DismissForm
from .reading import Reader, fact_options, find, present, shown_name, shown_via
from .services import accept_suggestion, dismiss_suggestion

GONE = "This suggestion is no longer proposed: its text was tagged or dismissed in the meantime."


def _article(request, slug: str) -> Article:
    if not request.user.has_perm("annotate.add_claim"):
        raise PermissionDenied("You do not have permission to tag claims.")
    return get_object_or_404(Article.objects.select_related("outlet"), slug=slug)


def _forms(article, cards) -> list[tuple]:
    """Each card with its accept form, filled with what the engine proposes."""
    rows = []
    for card in cards:
        initial = {
            "suggestion": card.key,
            "source": card.source,
            "fact": card.fact.value if card.fact else "",
            "via": VIA_SEPARATOR.join(card.via),
        }
        rows.append((card, AcceptForm(initial=initial, auto_id=f"sg-{card.key}-%s", datalist=f"sg-{card.key}-facts")))
    return rows


SHOWN = 50  # suggestions a sidebar shows at first, and how many more "Show more" adds


@require_GET
def article_suggestions(request, slug):
    """The article's suggested claims, in text order, each with its reason, score and candidate facts: the first
    `SHOWN`, or `?limit=` of them (a long article has hundreds, each drawn with its forms and facts)."""
    article = _article(request, slug)
    limit = max(number(request.GET.get("limit", "")) or SHOWN, 1)
    cards = present(article, Reader.of(request.user), limit=limit + 1)  # one more tells whether there are more
    template = "suggest/suggestions.html" + ("#sidebar" if request.htmx else "")
    kinds = list(ProvenanceKind.objects.active())
    more = limit + SHOWN if len(cards) > limit else None
    context = {"article": article, "rows": _forms(article, cards[:limit]), "kinds": kinds, "more": more}
    return render(request, template, context)


def _done(request, article, event: str, detail: dict):
    if request.htmx:
        return trigger_client_event(HttpResponse(status=204), event, detail)
    return redirect(reverse("suggest:article", args=[article.slug]))


@require_POST
def accept(request, slug):
    """Accept a suggestion: a claim made by the tagging service, its audit event naming the suggestion."""
    article = _article(request, slug)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return inline_error(request, form_message(form), status=400, target="#suggest-errors")
    data = form.cleaned_data
    reader = Reader.of(request.user)
    found = find(article, reader, data["suggestion"])
    if found is None:
        return inline_error(request, GONE, status=409, target="#suggest-errors")
    # The chain as the reviewer was shown it (pseudonyms for protected relays), resolved as the tag panel's Via
    # field is: a pseudonym names its source, any other name is held as proposed unless public.
    via = data["via"]
    proposed = (found.kind, shown_name(found, reader.mask), shown_via(found, reader.mask))
    edited = (data["kind"].slug, data["source"], via) != proposed or bool(data["note"] or data["directness"])
    try:
        claim = accept_suggestion(
            article=article,
            suggestion=found,
            annotator=request.user,
            kind=data["kind"],
            source_name=data["source"],
            fact_statement=data["fact"],
            via=via,
            directness=data["directness"],
            note=data["note"],
            edited=edited,
        )
    except ValidationError as exc:
        return inline_error(request, " ".join(exc.messages), status=400, target="#suggest-errors")
    if not request.htmx:
        return redirect(f"{article.get_absolute_url()}#claim-{claim.pk}")
    return _done(request, article, "suggestion-accepted", {"id": claim.pk})


@require_POST
def dismiss(request, slug):
    """Dismiss a suggestion: its text is not proposed again on this article."""
    article = _article(request, slug)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return inline_error(request, form_message(form), status=400, target="#suggest-errors")
    found = find(article, Reader.of(request.user), form.cleaned_data["suggestion"])
    if found is None:
        return inline_error(request, GONE, status=409, target="#suggest-errors")
    dismiss_suggestion(article=article, suggestion=found, actor=request.user)
    return _done(request, article, "suggestion-dismissed", {"key": found.key})


@require_GET
def article_fact_options(request, slug):
    """<option>s of the facts the text [start, end) of the article most likely reports, for the tag panel's
    Fact field before anything is typed ("Turnout was 99.63% — 4 articles")."""
    article = _article(request, slug)
    start, end = number(request.GET.get("start", "")), number(request.GET.get("end", ""))
    valid = start is not None and end is not None and 0 <= start < end <= len(article.text)
    options = fact_options(article, Reader.of(request.user), article.text[start:end]) if valid else ()
    return render(request, "suggest/fact_options.html", {"options": options})
