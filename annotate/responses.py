"""Answers every page's forms share: an error shown inline over htmx, or as a short page of its own."""

from django.shortcuts import render
from django_htmx.http import reswap, retarget


def inline_error(request, message: str, *, status: int, target: str):
    """An error the page shows inline (htmx, into `target`) or as a short page of its own (no JavaScript)."""
    template = "annotate/_error.html" if request.htmx else "annotate/error.html"
    response = render(request, template, {"message": message}, status=status)
    if request.htmx:
        response = reswap(retarget(response, target), "innerHTML")
    return response


def form_message(form) -> str:
    """A form's errors as one sentence or more, for an inline error."""
    return " ".join(error for errors in form.errors.values() for error in errors)
