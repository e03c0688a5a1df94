from django import forms

from .models import ProvenanceKind


class KindField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=ProvenanceKind.objects.active(),
            to_field_name="slug",
            error_messages={
                "required": "Choose the kind of source (press its number key).",
                "invalid_choice": "That kind of source does not exist or is no longer in use.",
            },
            **kwargs,
        )


class ClaimForm(forms.Form):
    """A new claim as the tag panel sends it: a code-point span, its text, kind, source and note."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    exact = forms.CharField(strip=False, max_length=20_000)
    kind = KindField()
    source = forms.CharField(required=False, max_length=300)
    note = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea)


class ClaimEditForm(forms.Form):
    """Changes to a pending claim; `version` is what the author last saw."""

    kind = KindField()
    source = forms.CharField(required=False, max_length=300)
    note = forms.CharField(required=False, max_length=5_000, widget=forms.Textarea)
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
