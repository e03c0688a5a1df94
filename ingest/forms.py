"""The add-article forms: what to fetch or read, then each draft's metadata and text."""

from django import forms
from django.forms import formset_factory

from corpus.models import Article

MAX_ITEMS = 20  # URLs plus files in one go: each is fetched or read while the editor waits
MAX_UPLOAD = 5_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        """Every file, each checked as one; a refusal names the file it is about (of several chosen)."""
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned, problems = [], []
        for file in files:
            try:
                cleaned.append(super().clean(file, initial))
            except forms.ValidationError as exc:
                problems += [f"{getattr(file, 'name', '') or 'A file'}: {message}" for message in exc.messages]
        if problems:
            raise forms.ValidationError(problems, code="invalid_file")
        return cleaned


class PageForm(forms.Form):
    """A form drawn by Django (`as_div`) on one of the app's pages: labels without a colon, as elsewhere."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AddForm(PageForm):
    urls = forms.CharField(
        label="Web addresses",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line.",
    )
    files = MultipleFileField(label="Files", required=False, help_text="HTML, PDF or plain text (UTF-8).")
    text = forms.CharField(
        label="Or paste the text", required=False, max_length=MAX_UPLOAD, widget=forms.Textarea(attrs={"rows": 6})
    )
    title = forms.CharField(label="Title of the pasted text", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        urls = [line.strip() for line in (data.get("urls") or "").splitlines() if line.strip()]
        data["url_list"] = urls
        files = data.get("files") or []
        if not urls and not files and not (data.get("text") or "").strip() and "files" not in self.errors:
            raise forms.ValidationError("Give a web address, a file or some text.", code="nothing")
        if len(urls) + len(files) > MAX_ITEMS:
            raise forms.ValidationError(f"At most {MAX_ITEMS} addresses and files at once.", code="too_many")
        for file in files:
            if file.size > MAX_UPLOAD:
                raise forms.ValidationError(
                    f"{file.name}: too large (the limit is {MAX_UPLOAD:,} bytes).", code="too_large"
                )
        return data


class DraftForm(PageForm):
    """One draft in the preview: the editor corrects the metadata and may trim the text."""

    keep = forms.BooleanField(label="Save", required=False, initial=True)
    origin = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    title = forms.CharField(max_length=500)
    author = forms.CharField(required=False, max_length=300)
    published = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outlet = forms.CharField(required=False, max_length=200)
    source_url = forms.URLField(label="Canonical URL", required=False, max_length=1000, assume_scheme="https")
    language = forms.CharField(required=False, max_length=20)
    revision_of = forms.CharField(
        label="A new version of (article address)",
        required=False,
        max_length=100,
        help_text="Filled in when an article with the same canonical URL is stored; empty for a new article.",
    )
    text = forms.CharField(max_length=MAX_UPLOAD, widget=forms.Textarea(attrs={"rows": 14}), strip=True)

    def clean_revision_of(self):
        slug = self.cleaned_data["revision_of"].strip()
        if not slug:
            return None
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            raise forms.ValidationError(f"No article has the address “{slug}”.", code="unknown_article")
        return article


DraftFormSet = formset_factory(DraftForm, extra=0, max_num=MAX_ITEMS, absolute_max=MAX_ITEMS, validate_max=True)
