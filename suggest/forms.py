"""Input of the suggestion pages: which suggestion, and for an accept the claim's fields as edited."""

from django import forms

from annotate.forms import ClaimFieldsForm

KEY = forms.CharField(max_length=60, widget=forms.HiddenInput)


class AcceptForm(ClaimFieldsForm):
    """A suggestion to accept, with its kind, source, fact and relay as the reviewer left them."""

    suggestion = KEY

    def __init__(self, *args, datalist: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Plain fields (each card has its own fact options); their length limits stay the shared form's.
        self.fields["source"].widget = forms.TextInput(attrs={"autocomplete": "off"})
        self.fields["fact"].widget = forms.TextInput(
            attrs={"autocomplete": "off", "list": datalist} if datalist else {}
        )
        self.fields["source"].widget.attrs.update(self.fields["source"].widget_attrs(self.fields["source"].widget))
        self.fields["fact"].widget.attrs.update(self.fields["fact"].widget_attrs(self.fields["fact"].widget))


class DismissForm(forms.Form):
    suggestion = KEY
