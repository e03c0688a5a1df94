"""Adding articles end to end: the pages (preview, correct, save, several at once, duplicates), revisions
with their re-anchored claims and orphans, POST /api/articles and import_articles with HTML, PDF and URLs."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotate.models import Claim, ReviewEvent
from corpus.models import Article, Revision
from tests.factories import make_claim, make_user
from tests.pageserver import HTML, page, serve

NEWS = page("news.html")
REVISED = NEWS.replace(
    b"<p>North Korea's state media",
    b"<p>UPDATE: this story was updated with the ministry's reaction.</p>\n<p>North Korea's state media",
).replace(
    b"<p>A resident of Hyesan told the monitor by phone that officials went from door to door in the afternoon "
    b"and wrote down the names of everyone who had not yet voted by noon.</p>",
    b"",
)


@pytest.fixture
def site(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    served = {"page": NEWS}
    routes = {"/news": (200, HTML, lambda: served["page"]), "/nothing": (200, HTML, b"<nav>Home</nav>")}
    with serve(routes) as base:
        yield base, served


@pytest.fixture
def editor_client(client, db):
    editor = make_user("ed", role="editor")
    client.force_login(editor)
    client.user = editor
    return client


def preview(client, **data):
    response = client.post(reverse("ingest:add"), data)
    assert response.status_code == 200, response.content[:500]
    return response


def save_all(client, response) -> str:
    formset = response.context["formset"]
    data = {f"form-{k}": v for k, v in formset.management_form.initial.items()}
    for i, form in enumerate(formset.forms):
        for name, value in form.initial.items():
            if value is not None and value is not False:
                data[f"form-{i}-{name}"] = value
    saved = client.post(reverse("ingest:save"), data)
    assert saved.status_code == 200
    return saved.content.decode()


def test_a_url_is_previewed_with_its_metadata_then_saved(site, editor_client):
    base, _ = site
    response = preview(editor_client, urls=f"{base}/news\n{base}/nothing\n{base}/missing")
    body = response.content.decode()
    assert "Lee Min-ji" in body and "NK Daily Monitor" in body and "cookies" not in body
    assert "no article text could be extracted" in body and "answered 404" in body  # one line each
    assert Article.objects.count() == 0  # nothing is stored before the save
    result = save_all(editor_client, response)
    article = Article.objects.get()
    assert "created" in result and article.title == "Turnout claimed at 99.63% in local elections"
    assert (article.author, article.outlet.name, article.source_url) == (
        "Lee Min-ji",
        "NK Daily Monitor",
        "https://nkmonitor.example/2023/11/turnout",
    )
    again = preview(editor_client, urls=f"{base}/news").content.decode()
    assert "duplicate" in again and Article.objects.count() == 1
    assert f'<a href="{article.get_absolute_url()}">{article.title}</a>' in again  # a way to the one stored


def test_the_editor_corrects_metadata_and_trims_text(site, editor_client):
    base, _ = site
    response = preview(
        editor_client, urls=f"{base}/news", text="Pasted report.\nTurnout was high, sources said.", title="Pasted"
    )
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    data = {f"form-{k}": v for k, v in formset.management_form.initial.items()}
    for i, form in enumerate(formset.forms):
        for name, value in form.initial.items():
            if value not in (None, False):
                data[f"form-{i}-{name}"] = value
    data["form-0-title"] = "Corrected title"
    data["form-0-text"] = form_text = formset.forms[0].initial["text"].split("\n", 1)[1]
    editor_client.post(reverse("ingest:save"), data)
    assert Article.objects.get(title="Corrected title").text == form_text
    assert Article.objects.filter(title="Pasted").exists()


def test_reviewers_cannot_add_articles(site, client, db):
    client.force_login(make_user("rita"))
    base, _ = site
    assert client.get(reverse("ingest:add")).status_code == 403
    assert client.post(reverse("ingest:add"), {"urls": f"{base}/news"}).status_code == 403
    assert Article.objects.count() == 0


def test_a_revised_page_moves_claims_orphans_others_and_keeps_the_old_text(site, editor_client):
    base, served = site
    save_all(editor_client, preview(editor_client, urls=f"{base}/news"))
    article = Article.objects.get()
    old_text = article.text
    quote = "99.63 percent of eligible voters"
    moved = make_claim(article, old_text.index(quote), old_text.index(quote) + len(quote))
    gone = "officials went from door to door"
    orphan = make_claim(
        article, old_text.index(gone), old_text.index(gone) + len(gone), kind_slug="in_country_informant"
    )
    Claim.objects.filter(pk=orphan.pk).update(status="accepted")
    served["page"] = REVISED
    result = save_all(editor_client, preview(editor_client, urls=f"{base}/news"))
    assert "revised" in result and "1 orphaned" in result, result[result.find("<h1>") :]
    article.refresh_from_db()
    moved.refresh_from_db()
    orphan.refresh_from_db()
    assert article.revision == 2 and Article.objects.count() == 1
    assert (
        article.text[moved.start : moved.end] == quote and moved.revision == 2 and moved.start > old_text.index(quote)
    )
    assert (
        orphan.orphaned
        and orphan.revision == 1
        and orphan.status == "pending"
        and orphan.review_reason == "text_changed"
    )
    assert Revision.objects.get(article=article, number=1).text[orphan.start : orphan.end] == gone
    actions = dict(
        ReviewEvent.objects.filter(article=article).exclude(action="created").values_list("claim_ref", "action")
    )
    assert actions == {moved.pk: "moved", orphan.pk: "orphaned"}
    reading = editor_client.get(article.get_absolute_url()).content.decode()
    assert "earlier texts, orphaned claims" in reading
    listing = editor_client.get(reverse("ingest:revisions", args=[article.slug])).content.decode()
    assert gone in listing and "Text changed" in listing
    diff = editor_client.get(reverse("ingest:revision", args=[article.slug, 1])).content.decode()
    assert "<ins>UPDATE: this story was updated" in diff and "<del>A resident of Hyesan" in diff
    assert editor_client.get(reverse("ingest:revision", args=[article.slug, 2])).status_code == 404


def test_the_api_adds_from_a_url_text_or_file_and_reports_duplicates(site, editor_client):
    base, _ = site
    url = reverse("api:articles_add")
    created = editor_client.post(url, {"url": f"{base}/news"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "created" and created.json()["author"] == "Lee Min-ji"
    assert editor_client.post(url, {"url": f"{base}/news"}).status_code == 409
    text = editor_client.post(url, {"text": "A pasted report about rice prices in Hyesan markets.", "title": "Rice"})
    assert text.status_code == 201 and text.json()["title"] == "Rice"
    upload = io.BytesIO(page("korean.html"))
    upload.name = "korean.html"
    filed = editor_client.post(url, {"file": upload})
    assert filed.status_code == 201 and filed.json()["language"] == "ko"
    bad = editor_client.post(url, {"url": f"{base}/nothing"})
    assert bad.status_code == 400 and "no article text" in bad.content.decode()
    assert editor_client.post(url, {}).status_code == 400
    assert Article.objects.count() == 3


def test_the_api_takes_an_article_as_json_too(editor_client):
    url = reverse("api:articles_add")
    body = {"text": "A report sent as JSON about rice prices in Hyesan.", "title": "Rice", "published": "2024-03-01"}
    created = editor_client.post(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert (created.json()["title"], created.json()["published"]) == ("Rice", "2024-03-01")
    bad = editor_client.post(url, json.dumps({"text": "x", "published": "soon"}), content_type="application/json")
    assert bad.status_code == 400 and "published" in bad.json()["errors"]
    broken = editor_client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken["Content-Type"].startswith("application/json")
    for body in ("[]", "null", '"a text"'):
        refused = editor_client.post(url, body, content_type="application/json")
        assert refused.status_code == 400 and "must be a JSON object" in refused.json()["detail"], body
    typo = editor_client.post(
        url, json.dumps({"text": "A new text.", "revison_of": "x"}), content_type="application/json"
    )
    assert typo.status_code == 400 and "revison_of" in typo.json()["errors"]
    huge = editor_client.post(url, json.dumps({"text": "x" * 3_000_000}), content_type="application/json")
    assert huge.status_code == 400 and huge["Content-Type"].startswith("application/json")
    assert Article.objects.count() == 1


def test_another_story_under_an_article_s_canonical_address_is_not_taken_for_a_revision(site, editor_client):
    base, served = site
    url = reverse("api:articles_add")
    assert editor_client.post(url, {"url": f"{base}/news"}).status_code == 201
    article = Article.objects.get()
    claim = make_claim(article, 0, 5)
    # A misconfigured site gives a different story the same canonical address.
    other = (
        "<html><head><title>Hotel opens in Pyongyang</title>"
        '<link rel="canonical" href="https://nkmonitor.example/2023/11/turnout"></head><body><article>'
        + "<p>A new hotel with two hundred rooms opened on the banks of the Taedong river this week.</p>" * 3
        + "</article></body></html>"
    )
    served["page"] = other.encode()
    refused = editor_client.post(url, {"url": f"{base}/news"})
    assert refused.status_code == 400, refused.content
    assert "its text is another" in refused.json()["detail"] + str(refused.json().get("errors"))
    article.refresh_from_db()
    claim.refresh_from_db()
    assert article.revision == 1 and Article.objects.count() == 1 and not claim.orphaned
    # The browser's preview offers it as a new article, not as "a new version of" the other.
    shown = preview(editor_client, urls=f"{base}/news")
    assert shown.context["formset"].forms[0].initial["revision_of"] == ""
    # A real new version still is one.
    served["page"] = REVISED
    assert editor_client.post(url, {"url": f"{base}/news"}).json()["status"] == "revised"


def test_the_api_checks_what_it_stores_as_the_browser_does(site, editor_client, settings):
    url = reverse("api:articles_add")
    text = "A pasted report about rice prices in Hyesan markets, long enough to be an article."
    bad = editor_client.post(url, {"text": text, "source_url": "javascript:alert(document.cookie)"})
    assert bad.status_code == 400 and "http" in str(bad.json()["errors"]["source_url"])
    invisible = editor_client.post(url, {"text": "\ufeff\u200b\u200b\u2060", "title": "Blank"})
    assert invisible.status_code == 400
    # "Café" composed and decomposed is one outlet.
    for i, outlet in enumerate(("Le Caf\u00e9 Cor\u00e9en", "Le Cafe\u0301 Core\u0301en")):
        created = editor_client.post(url, {"text": f"{text} Part {i}.", "outlet": outlet, "title": f"Part {i}"})
        assert created.status_code == 201, created.content
    assert Article.objects.values("outlet").distinct().count() == 1
    assert Article.objects.count() == 2
    # An image sent as a file is refused as a fetched one is: by its type.
    image = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")
    sent = editor_client.post(url, {"file": image})
    assert sent.status_code == 400 and "not a supported type (image/png)" in str(sent.json())
    # A form larger than the server reads is refused in the API's shape, and stores nothing.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    big = editor_client.post(url, {"text": "word " * 5_000, "title": "Big"})
    assert big.status_code == 400 and big["Content-Type"].startswith("application/json")
    assert "10,000 bytes" in str(big.json())
    page = editor_client.post(reverse("ingest:add"), {"text": "word " * 5_000})
    assert page.status_code == 400 and "10,000 bytes" in page.content.decode()
    assert Article.objects.count() == 2


def test_the_api_refuses_reviewers(site, client, db):
    client.force_login(make_user("rita"))
    assert client.post(reverse("api:articles_add"), {"text": "Some text here."}).status_code == 403
    assert Article.objects.count() == 0


def test_import_articles_reads_html_pdf_and_urls(site, tmp_path, db):
    from tests.test_ingest_fetch import make_pdf

    base, _ = site
    (tmp_path / "news.html").write_bytes(page("korean.html"))
    (tmp_path / "brief.pdf").write_bytes(make_pdf(["A briefing on elections in the North."], title="Briefing"))
    (tmp_path / "scan.pdf").write_bytes(make_pdf([]))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_articles", str(tmp_path), f"{base}/news", f"{base}/nothing", "--no-progress", stdout=out, stderr=err
        )
    assert "3 created" in str(caught.value) and "2 failed" in str(caught.value)
    assert "no text layer" in err.getvalue() and "no article text" in err.getvalue()
    assert set(Article.objects.values_list("title", flat=True)) == {
        "Briefing",
        "북한 지방선거 투표율 99.63% 주장",
        "Turnout claimed at 99.63% in local elections",
    }


def test_text_files_are_the_same_articles_through_every_entry_point(site, tmp_path, editor_client):
    base, _ = site
    folder = tmp_path / "reports"
    folder.mkdir()
    report = "Rice prices in Hyesan rose by a third in November, traders said.\nThe market closed early.\n"
    (folder / "rice.txt").write_text(report, encoding="utf-8")
    manifest = '[files."rice.txt"]\ntitle = "Rice prices"\nsource_url = "https://market.example/rice"\n'
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    call_command("import_articles", str(folder), "--no-progress", stdout=io.StringIO())
    article = Article.objects.get()
    # The same text pasted (its line breaks at the end lost) is the article already stored, not a second one.
    again = editor_client.post(reverse("api:articles_add"), {"text": report.strip(), "title": "Rice again"})
    assert again.status_code == 409, again.content
    # A changed text under the manifest's address is a new revision of it, as the help says; the editor named
    # must be an editor.
    claim = make_claim(article, 0, 11)  # "Rice prices"
    (folder / "rice.txt").write_text("UPDATE: the market reopened.\n" + report, encoding="utf-8")
    make_user("rita")  # a reviewer
    with pytest.raises(CommandError, match="not an editor"):
        call_command("import_articles", str(folder), "--no-progress", "--editor", "rita", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_articles", str(folder), "--no-progress", "--editor", "ed", stdout=out)
    article.refresh_from_db()
    claim.refresh_from_db()
    assert Article.objects.count() == 1 and article.revision == 2, out.getvalue()
    assert article.text[claim.start : claim.end] == "Rice prices"
    # Importing it once more changes nothing, and an address written in capitals is an address.
    call_command("import_articles", str(folder), "--no-progress", stdout=io.StringIO())
    assert Article.objects.count() == 1 and Article.objects.get().revision == 2
    call_command("import_articles", f"HTTP{base[4:]}/news", "--no-progress", stdout=io.StringIO())
    assert Article.objects.filter(title="Turnout claimed at 99.63% in local elections").exists()


OLD_TEXT = (
    "Pyongyang, 27 November.\n"
    "State media said turnout was 99.63% in the local elections.\n"
    "A resident of Hyesan said officials went from door to door.\n"
    "The unification ministry declined to comment."
)
NEW_TEXT = "UPDATED.\n" + OLD_TEXT.replace("A resident of Hyesan said officials went from door to door.\n", "")


@pytest.fixture
def revised(db):
    """An article revised once: one claim moved, one by a sensitive source orphaned."""
    from annotate.revising import revise_article
    from tests.factories import make_article

    article = make_article(OLD_TEXT, title="Turnout")
    rita, editor = make_user("rita"), make_user("ed", role="editor")
    quote = "turnout was 99.63%"
    moved = make_claim(article, OLD_TEXT.index(quote), OLD_TEXT.index(quote) + len(quote), annotator=rita)
    start = OLD_TEXT.index("officials went")
    orphan = make_claim(article, start, start + len("officials went from door to door"), annotator=rita,
                        kind_slug="in_country_informant", source_name="Kim Chol, Hyesan")  # fmt: skip
    orphan.source.sensitive = True
    orphan.source.save()
    revise_article(article=article, text=NEW_TEXT, actor=editor)
    article.refresh_from_db()
    return {"article": article, "moved": moved, "orphan": orphan, "rita": rita, "editor": editor}


def test_orphans_are_listed_masked_and_left_out_of_the_reading_view(client, revised):
    article, orphan = revised["article"], revised["orphan"]
    client.force_login(revised["rita"])
    # Its author's edit form says why it is back with them: the new text, not an editor.
    form = client.get(reverse("annotate:claim_edit", args=[orphan.pk])).content.decode()
    said = re.search(r'<p class="review-says">(.*?)</p>', form, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", said) == "A new revision of the article: Text changed"
    mine = client.get(reverse("annotate:my_claims")).content.decode()  # My claims says the same, one way
    assert "<strong>A new revision of the article:</strong> Text changed" in mine
    listing = client.get(reverse("ingest:revisions", args=[article.slug])).content.decode()
    assert "officials went from door to door" in listing
    assert "Kim Chol" not in listing and "Protected source 1" in listing
    reading = client.get(article.get_absolute_url())
    page = reading.content.decode()
    assert re.findall(r'<li id="item-(\d+)">', page) == [str(revised["moved"].pk)]
    assert reading.context["claim_total"] == 1 and f'id="claim-{orphan.pk}"' not in page
    assert "Kim Chol" not in reading.content.decode()
    client.force_login(revised["editor"])
    assert "Kim Chol, Hyesan" in client.get(reverse("ingest:revisions", args=[article.slug])).content.decode()
    card = client.get(reverse("review:queue") + f"?claim={orphan.pk}").content.decode()
    assert "Text changed" in card and "A resident of Hyesan said" in card  # its sentence, from revision 1


def test_the_revisions_page_reads_a_fixed_number_of_queries(client, revised, django_assert_max_num_queries):
    from annotate.revising import revise_article

    article = revised["article"]
    revise_article(article=article, text=NEW_TEXT + "\nMore.", actor=revised["editor"])
    client.force_login(revised["editor"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ingest:revisions", args=[article.slug]))
    assert response.status_code == 200 and response.content.decode().count("Revision ") >= 3


def test_the_same_text_again_is_not_a_revision(revised):
    from django.core.exceptions import ValidationError

    from annotate.revising import revise_article

    with pytest.raises(ValidationError):
        revise_article(article=revised["article"], text=NEW_TEXT, actor=revised["editor"])
    assert Revision.objects.count() == 1


def test_an_empty_form_says_what_is_missing_and_stores_nothing(editor_client):
    response = editor_client.post(reverse("ingest:add"), {})
    assert (
        response.status_code == 400 and response.content.decode().count("Give a web address, a file or some text.") == 1
    )
    # An empty file among those chosen is named, and no other complaint is made.
    empty = SimpleUploadedFile("empty.txt", b"", "text/plain")
    refused = editor_client.post(reverse("ingest:add"), {"files": [empty]}).content.decode()
    assert "empty.txt: The submitted file is empty." in refused and "Give a web address" not in refused
    assert Article.objects.count() == 0
