from django import forms
from django.urls import reverse_lazy

from config.input import problem

from .masking import name_pattern, skeleton
from .models import Claim, Fact, ProvenanceKind, Source, SourceAlias
from .names import clean_name as tidy
from .names import name_key, validate_not_reserved
from .relays import MAX_RELAYS, VIA_SEPARATOR, split_via

# The whole chain as typed: MAX_RELAYS names of a source's length and their separators.
VIA_MAX_LENGTH = MAX_RELAYS * (200 + len(VIA_SEPARATOR))


class KindField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=ProvenanceKind.objects.active(),
            to_field_name="slug",
            error_messages={
                "required": "Choose the kind of source: click it, or press its number.",
                "invalid_choice": "That kind of source does not exist or is no longer in use.",
            },
            **kwargs,
        )
        self.known: dict[str, ProvenanceKind] | None = None  # every kind by slug, when the caller has read them

    def to_python(self, value):
        """The kind named by its slug: from `known` without a query when it is set, else from the queryset."""
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        kind = self.known.get(str(value))
        if kind is None or not kind.active:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return kind


def _suggested(url_name: str, options: str, placeholder: str) -> forms.TextInput:
    """A text input that asks the server for suggestions as one types, into the datalist `options`."""
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "list": options,
            "placeholder": placeholder,
            "hx-get": reverse_lazy(url_name),
            "hx-trigger": "input changed delay:150ms",
            "hx-target": f"#{options}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


class ClaimFieldsForm(forms.Form):
    """What a reviewer says about a claim: kind, source, fact, relay, directness and note.

    The tag panel and the edit form render these fields with their widgets, so each limit is declared
    here once (the API's schema declares the same for scripts).
    """

    kind = KindField()
    source = forms.CharField(
        required=False,
        max_length=Source._meta.get_field("name").max_length,
        widget=_suggested("annotate:source_suggest", "source-options", "Who said it? e.g. KCNA"),
    )
    fact = forms.CharField(
        required=False,
        max_length=Claim._meta.get_field("proposed_fact").max_length,
        widget=_suggested("annotate:fact_suggest", "fact-options", "The fact it reports, e.g. Turnout was 99.63%"),
    )
    via = forms.CharField(
        required=False,
        label="Via",
        max_length=VIA_MAX_LENGTH,
        help_text="The sources it passed through, nearest to the article first, separated by “;”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Relayed by, e.g. Yonhap; KCNA"}),
    )
    directness = forms.ChoiceField(required=False, choices=[("", "Not said"), *Claim.Directness.choices])
    note = forms.CharField(
        required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Optional"})
    )

    def clean(self):
        """Control characters (other than tab and line breaks) are refused, as the API refuses them."""
        data = super().clean()
        for name in ("source", "fact", "note"):
            if trouble := problem(data.get(name) or "", controls=True):
                self.add_error(name, f"{name.capitalize()}: {trouble.message}")
        return data

    def clean_via(self) -> list[str]:
        """The relay chain as a list of names, nearest to the article first."""
        if trouble := problem(self.cleaned_data["via"], controls=True):
            raise forms.ValidationError(f"Via: {trouble.message}", code="control")
        names = split_via(self.cleaned_data["via"])
        if len(names) > MAX_RELAYS:
            raise forms.ValidationError(f"A relay chain has at most {MAX_RELAYS} sources.", code="max_relays")
        limit = Source._meta.get_field("name").max_length
        if any(len(name) > limit for name in names):
            raise forms.ValidationError(f"A relay's name has at most {limit} characters.", code="max_length")
        return names


class ClaimForm(ClaimFieldsForm):
    """A new claim as the tag panel sends it: a code-point span and its text, plus the claim's fields.

    The panel's script fills the span and picks the kind (by its buttons), so those are hidden here.
    """

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, max_length=20_000, widget=forms.HiddenInput)

    def __init__(self, *args, kinds=None, **kwargs):
        """`kinds`: every kind, when the caller has read them already."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = forms.HiddenInput()
        if kinds is not None:
            self.fields["kind"].known = {kind.slug: kind for kind in kinds}


class ClaimEditForm(ClaimFieldsForm):
    """Changes to a pending claim; `version` is what the author last saw."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        if claim is not None:
            # The claim's own kind stays selectable even after it has been deactivated.
            self.fields["kind"].queryset = ProvenanceKind.objects.filter(active=True) | ProvenanceKind.objects.filter(
                pk=claim.kind_id
            )


class DeleteForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SourceForm(forms.ModelForm):
    """An editor's changes to a source; aliases one per line."""

    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Other names, one per line."
    )

    class Meta:
        model = Source
        fields = ["name", "kind", "affiliation", "description", "sensitive"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].empty_label = "None: an origin of its own"
        if self.instance.pk:  # a source cannot belong to itself: it is not offered (and is refused, saying why)
            field = self.fields["affiliation"]
            field.widget.choices = [(value, label) for value, label in field.choices if value != self.instance.pk]

    def clean_name(self):
        name = tidy(self.cleaned_data["name"])
        taken = Source.objects.exclude(pk=self.instance.pk).named(name).first()
        if taken:
            raise forms.ValidationError(f"“{name}” already names another source: {taken.name}.", code="taken")
        return name

    def clean_aliases(self):
        names = {}
        for line in self.cleaned_data["aliases"].splitlines():
            if name := tidy(line):
                validate_not_reserved(name)
                names.setdefault(name_key(name), name)
        names = list(names.values())
        limit = SourceAlias._meta.get_field("name").max_length
        for name in names:
            if len(name) > limit:
                raise forms.ValidationError(
                    f"An alias can be at most {limit} characters: “{name[:60]}…” has {len(name)}.", code="max_length"
                )
        for name in names:
            taken = Source.objects.exclude(pk=self.instance.pk).named(name).first()
            if taken:
                raise forms.ValidationError(f"“{name}” already names another source: {taken.name}.", code="taken")
        return names

    kept_former_name = ""  # set by clean(): a protected source's former name, kept as an alias

    def clean(self):
        """A protected source keeps every name it has had: texts that name the person so stay hidden.

        Renamed, its former name becomes an alias (as a merged source's names do); an alias may not be
        taken away. `clean()` runs before the form writes to the instance, which still holds what is stored.
        """
        data = super().clean()
        source = self.instance
        if not data.get("sensitive") and "name" in data and "aliases" in data:
            self._refuse_protected_names_in_public([data["name"], *data["aliases"]])
        if source.pk is None or not data.get("sensitive") or "name" not in data or "aliases" not in data:
            return data
        kept = {name_key(name) for name in [data["name"], *data["aliases"]]}
        if dropped := [alias.name for alias in source.aliases.all() if alias.key not in kept]:
            self.add_error(
                "aliases",
                f"“{dropped[0]}” is a name of this protected source: without it, texts that use that name would "
                "show it again. Keep it; to correct a misspelt alias, add the right one beside it.",
            )
        if name_key(source.name) not in kept:
            data["aliases"] = [*data["aliases"], source.name]
            self.kept_former_name = source.name
        return data

    def _refuse_protected_names_in_public(self, names: list[str]) -> None:
        """A public source's names are shown to everyone as they are: none may hold another source's protected
        name ("Kim Chol-su's driver"). Its own names may, when it is being made public again."""
        others = Source.objects.filter(sensitive=True).exclude(pk=self.instance.pk)
        protected = [*others.values_list("name", flat=True)]
        protected += SourceAlias.objects.filter(source__in=others).values_list("name", flat=True)
        pattern = name_pattern(protected)
        if pattern is not None and any(pattern.search(skeleton(name)) for name in names):
            self.add_error(
                "name",
                "A name of this source holds the name of a protected source, which a public source would show "
                "to everyone: mark it sensitive, or name it otherwise.",
            )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Source.objects.all(), label="Merge into", empty_label="Choose a source")


class VerdictForm(forms.Form):
    """An editor's verdict on a fact: a rating label and its explanation (an empty label clears it)."""

    verdict = forms.CharField(
        required=False,
        max_length=Fact._meta.get_field("verdict").max_length,
        label="Verdict",
        widget=forms.TextInput(attrs={"placeholder": "e.g. False, Misleading, Unproven, True"}),
    )
    explanation = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        for name in ("verdict", "explanation"):
            if trouble := problem(data.get(name) or "", controls=True):
                self.add_error(name, f"{name.capitalize()}: {trouble.message}")
        return data


class ConflictForm(forms.Form):
    other = forms.CharField(max_length=400)  # a fact's slug, or its statement as the editor sees it
    conflicting = forms.BooleanField(required=False)
