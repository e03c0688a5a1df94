"""Writing a source's registry entry: its name, kind, aliases, sensitivity and affiliation at once."""

from __future__ import annotations

from django.db import transaction

from .forms import SourceForm
from .models import Source, SourceAlias
from .names import name_key


@transaction.atomic
def save_source(*, form: SourceForm) -> Source:
    """Save a validated `SourceForm` (the sources page and the API both send one): the row, and its aliases
    replaced by the form's. The form's model validation has refused names taken by other sources and an
    affiliation that would go round in a circle."""
    source = form.save()
    source.aliases.all().delete()
    SourceAlias.objects.bulk_create(
        SourceAlias(source=source, name=name, key=name_key(name)) for name in form.cleaned_data["aliases"]
    )
    return source
