"""Importing claims from W3C Web Annotation and JSON Lines: anchoring, failures one by one, idempotency, round trip."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from annotate.models import Claim, Fact, ProvenanceKind, ReviewEvent, Source, SourceAlias
from interchange.importing import anchor
from interchange.reading import Rejected
from interchange.w3c import KIND_NS

from .factories import make_article, make_claim, make_user, set_relays

pytestmark = pytest.mark.django_db

TEXT = (
    "투표 🗳️ 결과 🇰🇵: KCNA said turnout was 99.63%. The agency repeated it. "
    'A resident said, "Nobody voted against, not one." The agency repeated it. '
    "Analysts doubt the figure, one said."
)
URL = "https://news.example/turnout"


def span(quote, text=TEXT, occurrence=1):
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


@pytest.fixture
def article():
    return make_article(TEXT, title="Turnout report", source_url=URL)


def annotation(quote, *, start=None, end=None, kind="state_media", creator="rita", target_source=URL, **extra):
    """A W3C annotation of `quote` in TEXT as another tool might write it."""
    if start is None:
        start, end = span(quote)
    body = [{"type": "SpecificResource", "purpose": "classifying", "source": KIND_NS + kind}]
    selectors = [
        {"type": "TextQuoteSelector", "exact": quote, "prefix": TEXT[max(0, start - 32) : start], "suffix": ""},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]
    selectors[0]["suffix"] = TEXT[end : end + 32] if TEXT[start:end] == quote else ""
    value = {
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": creator},
        "body": body,
        "target": {"source": target_source, "selector": selectors},
    }
    return value | extra


def write(tmp_path, value, name="claims.jsonld") -> str:
    path = tmp_path / name
    # A lone surrogate, which UTF-8 cannot hold, is written as its JSON escape, as another tool would write it.
    if name.endswith(".jsonl"):
        text = "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in value)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=1)
    path.write_bytes(text.encode("utf-8", "backslashreplace"))
    return str(path)


def run_import(*args):
    """(stdout, stderr, error) of import_claims: error is the CommandError's message, or None."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_claims", *args, "--no-progress", stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def export(fmt, *extra) -> str:
    out = io.StringIO()
    call_command("export_claims", "--format", fmt, "--include-sensitive", "--no-progress", *extra, stdout=out)
    return out.getvalue()


# ---- anchoring (pure) ------------------------------------------------------------------------------


def test_anchor_keeps_a_quote_that_is_where_it_says():
    assert anchor(TEXT, exact="KCNA said", start=span("KCNA said")[0], end=span("KCNA said")[1]) == span("KCNA said")


def test_anchor_finds_a_moved_quote_by_its_text_or_context():
    assert anchor(TEXT, exact="KCNA said", start=0, end=9) == span("KCNA said")
    assert anchor(TEXT, exact="KCNA said") == span("KCNA said")
    second = span("The agency repeated it.", occurrence=2)
    prefix = TEXT[second[0] - 32 : second[0]]
    assert anchor(TEXT, exact="The agency repeated it.", prefix=prefix, start=3, end=26) == second
    assert anchor(TEXT, exact="The agency repeated it.", suffix=" Analysts") == second


def test_anchor_refuses_what_it_cannot_place_uniquely():
    with pytest.raises(Rejected, match="quote not found"):
        anchor(TEXT, exact="Turnout was 100%")
    with pytest.raises(Rejected, match="quote found 2 times"):
        anchor(TEXT, exact="The agency repeated it.", prefix="nothing like it", start=0, end=23)
    with pytest.raises(Rejected, match="no quote"):
        anchor(TEXT, exact="", start=0, end=3)


# ---- importing ------------------------------------------------------------------------------------


def test_imports_a_collection_and_reports_counts(article, tmp_path):
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": [annotation("KCNA said"), annotation("Analysts doubt")]},
    }
    out, err, error = run_import(write(tmp_path, collection))
    assert error is None and err == ""
    assert out.strip() == "created 2, unchanged 0, failed 0"
    claim = Claim.objects.get(exact="KCNA said")
    assert (claim.article, claim.start, claim.end, claim.kind.slug) == (article, *span("KCNA said"), "state_media")
    assert claim.prefix == TEXT[: claim.start] and claim.status == "pending"
    assert ReviewEvent.objects.filter(claim=claim, action="created").exists()  # through the tagging service


def test_imports_a_list_one_annotation_and_json_lines(article, tmp_path):
    assert run_import(write(tmp_path, [annotation("KCNA said")], "list.json"))[0].startswith("created 1")
    assert run_import(write(tmp_path, annotation("Analysts doubt"), "one.jsonld"))[0].startswith("created 1")
    lines = [annotation("A resident said"), annotation("99.63%")]
    assert run_import(write(tmp_path, lines, "lines.jsonl"))[0].startswith("created 2")
    assert Claim.objects.count() == 4


def test_importing_twice_creates_nothing_new(article, tmp_path):
    path = write(tmp_path, [annotation("KCNA said"), annotation("Analysts doubt", kind="think_tank")])
    assert run_import(path)[0].strip() == "created 2, unchanged 0, failed 0"
    assert run_import(path)[0].strip() == "created 0, unchanged 2, failed 0"
    assert Claim.objects.count() == 2 and ReviewEvent.objects.count() == 2


def test_a_moved_quote_is_anchored_again_with_a_warning(article, tmp_path):
    start, end = span("KCNA said")
    _, err, error = run_import(write(tmp_path, [annotation("KCNA said", start=start + 5, end=end + 5)]))
    assert error is None
    assert f"warning: annotation 1: quote re-anchored by its text: {start + 5}-{end + 5} -> {start}-{end}" in err
    assert Claim.objects.get().start == start


def test_creators_become_accounts_that_cannot_sign_in_unless_an_annotator_is_forced(article, tmp_path):
    run_import(write(tmp_path, [annotation("KCNA said", creator="newcomer")]))
    newcomer = get_user_model().objects.get(username="newcomer")
    assert not newcomer.has_usable_password() and Claim.objects.get().annotator == newcomer
    olga = make_user("olga")
    run_import(write(tmp_path, [annotation("Analysts doubt", creator="someone-else")]), "--annotator", "olga")
    assert Claim.objects.get(exact="Analysts doubt").annotator == olga
    assert not get_user_model().objects.filter(username="someone-else").exists()
    with pytest.raises(CommandError, match="no user “ghost”"):
        call_command("import_claims", write(tmp_path, []), "--annotator", "ghost", stdout=io.StringIO())


def test_a_withheld_source_name_is_never_taken_for_a_name(article, tmp_path):
    value = annotation("KCNA said")
    value["body"].append(
        {"type": "TextualBody", "purpose": "describing", "value": "protected source", "prov:sourceProtected": True}
    )
    out, err, error = run_import(write(tmp_path, [value]))
    assert error is None and out.startswith("created 1")
    assert "warning: annotation 1: the source's name was withheld in the file: imported without a source" in err
    assert Claim.objects.get().source is None and not Source.objects.exists()


def test_sources_and_facts_keep_the_files_kind_slug_and_sensitivity(article, tmp_path):
    value = annotation(
        "A resident said", kind="in_country_informant", **{"prov:fact": "nobody-against", "prov:factStatement": "No"}
    )
    value["body"].append(
        {
            "type": "TextualBody",
            "purpose": "describing",
            "value": "Hoeryong resident",
            "prov:sourceKind": "defector_testimony",
            "prov:sourceSensitive": True,
        }
    )
    run_import(write(tmp_path, [value]))
    claim = Claim.objects.select_related("source__kind", "fact").get()
    assert (claim.source.name, claim.source.kind.slug, claim.source.sensitive) == (
        "Hoeryong resident",
        "defector_testimony",
        True,
    )
    assert (claim.fact.slug, claim.fact.statement) == ("nobody-against", "No")


def test_a_review_in_the_file_is_kept_with_an_audit_event(article, tmp_path):
    value = annotation(
        "Analysts doubt",
        **{
            "prov:status": "rejected",
            "prov:reviewer": "ed",
            "prov:reviewedAt": "2026-01-02T03:04:05Z",
            "prov:reviewReason": "wrong_span",
            "prov:reviewNote": "Take the whole sentence.",
        },
    )
    run_import(write(tmp_path, [value]))
    claim = Claim.objects.get()
    assert (claim.status, claim.reviewer.username, claim.review_reason, claim.review_note) == (
        "rejected",
        "ed",
        "wrong_span",
        "Take the whole sentence.",
    )
    assert claim.reviewed_at.isoformat() == "2026-01-02T03:04:05+00:00"
    assert list(ReviewEvent.objects.order_by("pk").values_list("action", "actor__username")) == [
        ("created", "rita"),
        ("rejected", "ed"),
    ]


FAILURES = [
    (lambda: annotation("KCNA said", target_source="https://elsewhere.example/x"), "unknown article"),
    (lambda: annotation("KCNA said", kind="rumour_mill"), "unknown kind “rumour_mill”"),
    (
        lambda: (
            annotation("KCNA said")
            | {
                "body": [
                    {"type": "SpecificResource", "purpose": "classifying", "source": "https://other.example/kinds/x"}
                ]
            }
        ),
        "unknown kind “https://other.example/kinds/x”",
    ),  # noqa: E501
    (lambda: annotation("Turnout was 100%", start=0, end=16), "quote not found"),
    (
        lambda: (
            annotation("The agency repeated it.", start=1, end=24)
            | {
                "target": {
                    "source": URL,
                    "selector": [{"type": "TextQuoteSelector", "exact": "The agency repeated it."}],
                }
            }
        ),
        "quote found 2 times",
    ),  # noqa: E501
    (lambda: annotation("KCNA said") | {"creator": None}, "no creator"),
    (lambda: annotation("KCNA said", creator="no spaces allowed"), "not a valid username"),
    (lambda: annotation("KCNA said") | {"target": URL}, "no selectors"),
    (lambda: annotation("KCNA said") | {"prov:status": "approved"}, "unknown status “approved”"),
    (lambda: annotation("KCNA said") | {"prov:directness": "hearsay"}, "unknown directness “hearsay”"),
    (lambda: annotation("KCNA said") | {"prov:reviewReason": "duplicate"}, "a review reason goes only with"),
    (lambda: annotation("KCNA said") | {"prov:fact": "unheard-of"}, "unknown fact “unheard-of”"),
    (lambda: annotation("KCNA said") | {"prov:status": "accepted", "prov:reviewedAt": "soon"}, "not a date and time"),
    (lambda: annotation("KCNA said") | {"prov:note": ["a", "list"]}, "prov:note must be text"),
    (lambda: "just a string", "not a JSON object"),
    (lambda: {"hello": "world"}, "neither a W3C annotation"),
    (
        lambda: annotation("KCNA said") | {"body": [{"purpose": {"classifying": True}, "source": KIND_NS + "expert"}]},
        "a body's purpose must be text",
    ),
    (
        lambda: annotation("KCNA said") | {"body": [{"purpose": "classifying", "source": {"id": {"nested": 1}}}]},
        "unknown kind “”",
    ),
    (lambda: annotation("KCNA said") | {"body": [{"type": [{}], "purpose": ["describing", [1]]}]}, "purpose must be"),
    (
        lambda: annotation("KCNA said") | {"prov:note": "half of a pair: \ud800"},
        "prov:note contains a lone surrogate (U+D800, half of a UTF-16 pair), which cannot be stored",
    ),
    (lambda: annotation("KCNA said") | {"prov:via": "a\x00b"}, "prov:via contains a NUL character"),
    (lambda: annotation("KCNA said") | {"prov:via": "Yonhap " * 40}, "a relay's name (prov:via) is longer than 200"),
    (lambda: annotation("KCNA said") | {"prov:via": "a; " * 11}, "the relay chain (prov:via) has more than 10"),
    (lambda: annotation("KCNA said") | {"prov:factStatement": "x" * 301}, "the fact's statement is longer than 300"),
    (lambda: annotation("KCNA said", target_source="http://[::1/x"), "unknown article"),
    (
        lambda: annotation("KCNA said") | {"prov:status": "accepted", "prov:reviewedAt": "0001-01-01T00:00:00+05:00"},
        "that can be stored",
    ),
    (lambda: annotation("KCNA said") | {"prov:reviewer": "r" * 151}, "too long for a username"),
]


@pytest.mark.parametrize(("make", "reason"), FAILURES)
def test_each_failure_is_reported_on_its_line_and_stores_nothing(article, tmp_path, make, reason):
    value = make()
    path = write(tmp_path, [annotation("Analysts doubt"), value, annotation("99.63%")], "claims.jsonl")
    out, err, error = run_import(path)
    assert error == "created 2, unchanged 0, failed 1"  # the command exits non-zero
    (line,) = err.strip().splitlines()
    assert line.startswith("error: line 2: ") and reason in line
    assert sorted(Claim.objects.values_list("exact", flat=True)) == ["99.63%", "Analysts doubt"]
    assert not Source.objects.exists() and not Fact.objects.exists()


def test_lines_nested_too_deeply_or_with_unreadable_numbers_fail_alone(article, tmp_path):
    path = tmp_path / "claims.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    huge = '{"exact": "KCNA said", "article_slug": "x", "start": ' + "9" * 5_000 + "}"
    path.write_text(json.dumps(annotation("KCNA said")) + f"\n{deep}\n{huge}\n", encoding="utf-8")
    out, err, error = run_import(str(path))
    assert error == "created 1, unchanged 0, failed 2"
    assert err.splitlines()[0] == "error: line 2: nested too deeply to read"
    assert err.splitlines()[1].startswith("error: line 3: not JSON that can be read")


def test_a_document_nested_too_deeply_or_with_an_unreadable_number_is_refused_whole(article, tmp_path):
    path = tmp_path / "claims.jsonld"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("import_claims", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    path.write_text("[" + "9" * 5_000 + "]", encoding="utf-8")
    with pytest.raises(CommandError, match="holds a number too long to read"):
        call_command("import_claims", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Claim.objects.exists()


def test_references_from_the_file_are_printed_whatever_they_hold(article, tmp_path):
    value = annotation("nowhere to be found", start=0, end=19) | {"id": "weird \ud800 id \x00"}
    out, err, error = run_import(write(tmp_path, [value]), "-v", "2")
    assert error == "created 0, unchanged 0, failed 1"
    assert err == "error: weird \\ud800 id \\x00: quote not found\n"


# ---- whose name a file may use ------------------------------------------------------------------


def test_a_file_cannot_credit_claims_or_reviews_to_accounts_that_can_sign_in(article, tmp_path):
    make_user("editor", role="editor")
    make_user("rita")
    by_editor = annotation("KCNA said", creator="editor")
    accepted_by_editor = annotation("Analysts doubt", creator="newcomer") | {
        "prov:status": "accepted",
        "prov:reviewer": "editor",
    }
    out, err, error = run_import(write(tmp_path, [by_editor, accepted_by_editor]))
    assert error == "created 0, unchanged 0, failed 2"
    assert err.splitlines() == [
        "error: annotation 1: creator “editor” is an existing account that can sign in: "
        "pass --trust-accounts to credit it, or --annotator USER",
        "error: annotation 2: reviewer “editor” is an existing account that can sign in: "
        "pass --trust-accounts to credit the review to it",
    ]
    assert not Claim.objects.exists() and not ReviewEvent.objects.exists()
    assert not get_user_model().objects.filter(username="newcomer").exists()
    # With --annotator the claims are the operator's choice, but a review still names its reviewer.
    assert run_import(write(tmp_path, [by_editor]), "--annotator", "rita")[2] is None
    assert run_import(write(tmp_path, [accepted_by_editor]), "--annotator", "rita")[2] is not None
    out, err, error = run_import(write(tmp_path, [by_editor, accepted_by_editor]), "--trust-accounts")
    assert (error, err) == (None, "")
    assert Claim.objects.get(exact="KCNA said", annotator__username="editor")
    assert Claim.objects.get(exact="Analysts doubt").reviewer.username == "editor"


def test_accounts_that_cannot_sign_in_are_matched_without_being_told(article, tmp_path):
    run_import(write(tmp_path, [annotation("KCNA said", creator="imported")]))
    assert not get_user_model().objects.get(username="imported").has_usable_password()
    again = annotation("Analysts doubt", creator="imported") | {"prov:status": "accepted", "prov:reviewer": "imported"}
    assert run_import(write(tmp_path, [again]))[2] is None
    assert Claim.objects.filter(annotator__username="imported").count() == 2


def test_a_line_that_is_not_json_fails_alone(article, tmp_path):
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(annotation("KCNA said")) + "\n{oops\n", encoding="utf-8")
    out, err, error = run_import(str(path))
    assert error == "created 1, unchanged 0, failed 1"
    assert err.startswith("error: line 2: not JSON")


def test_a_failure_inside_the_transaction_leaves_no_account_source_or_fact(article, tmp_path):
    ProvenanceKind.objects.filter(slug="think_tank").update(active=False)
    value = annotation("Analysts doubt", kind="think_tank", creator="newcomer", **{"prov:factStatement": "Doubts"})
    value["body"].append({"type": "TextualBody", "purpose": "describing", "value": "Asan Institute"})
    out, err, error = run_import(write(tmp_path, [value]))
    assert error == "created 0, unchanged 0, failed 1"
    assert "no longer in use" in err
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert not Source.objects.exists() and not Fact.objects.exists() and not Claim.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_whole(tmp_path):
    missing = tmp_path / "missing.jsonld"
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_claims", str(missing), stdout=io.StringIO())
    broken = tmp_path / "broken.jsonld"
    broken.write_text('[\n{"type": "Annotation",\n', encoding="utf-8")
    with pytest.raises(CommandError, match="neither JSON nor JSON Lines"):
        call_command("import_claims", str(broken), stdout=io.StringIO())


def test_articles_are_found_by_slug_when_the_url_is_unknown(article, tmp_path):
    value = annotation("KCNA said", target_source=f"https://other.example/articles/{article.slug}/")
    assert run_import(write(tmp_path, [value]))[2] is None
    by_ours = annotation("Analysts doubt", target_source="https://gone.example/")
    by_ours["target"]["prov:article"] = article.slug
    assert run_import(write(tmp_path, [by_ours]))[2] is None
    assert Claim.objects.filter(article=article).count() == 2


# ---- round trip ---------------------------------------------------------------------------------


def tagged_corpus():
    """Claims with every field set: sources (one sensitive), facts, relays, notes, reviews, emoji and Hangul."""
    article = make_article(TEXT, title="Turnout report", source_url=URL)
    other = make_article("둘째 기사 🗳️: the ministry said nothing, again.", title="Second report")
    rita, olga, ed = make_user("rita"), make_user("olga"), make_user("ed", role="editor")
    a = make_claim(article, *span("KCNA said turnout was 99.63%."), source_name="KCNA", fact="Turnout was 99.63%")
    b = make_claim(
        article,
        *span('"Nobody voted against, not one."'),
        kind_slug="in_country_informant",
        source_name="Hoeryong resident",
        annotator=olga,
        note='Said on the phone, "twice".\nSecond line.',
    )
    Source.objects.filter(name="Hoeryong resident").update(sensitive=True)
    SourceAlias.objects.create(source=Source.objects.get(name="KCNA"), name="Korean Central News Agency")
    make_claim(article, *span("The agency repeated it.", occurrence=2), kind_slug="news_agency", annotator=rita)
    make_claim(article, *span("Analysts doubt the figure"), kind_slug="think_tank", annotator=rita, fact="Doubts")
    make_claim(other, *span("the ministry said nothing", other.text), kind_slug="foreign_government", annotator=rita)
    Claim.objects.filter(pk=a.pk).update(directness="relayed")
    set_relays(a, "Yonhap", "Korean Central News Agency")
    now = timezone.now()
    Claim.objects.filter(pk=a.pk).update(status="accepted", reviewer=ed, reviewed_at=now)
    Claim.objects.filter(pk=b.pk).update(
        status="changes_requested", reviewer=ed, reviewed_at=now, review_reason="wrong_span", review_note="Longer."
    )


def without_ids_and_times(document: str) -> list[dict]:
    items = json.loads(document)["first"]["items"]
    for item in items:
        for key in ("id", "created", "modified", "prov:reviewedAt"):
            item.pop(key, None)
    return items


def empty_all_but_articles():
    """The same articles in an otherwise empty database: no claims, sources, facts, audit trail or accounts."""
    ReviewEvent.objects.all().delete()
    Claim.objects.all().delete()
    SourceAlias.objects.all().delete()
    Source.objects.all().delete()
    Fact.objects.all().delete()
    get_user_model().objects.all().delete()


def test_round_trip_through_w3c_is_lossless_apart_from_ids_and_times(tmp_path):
    tagged_corpus()
    first = export("w3c")
    first_csv = export("csv")
    (tmp_path / "claims.jsonld").write_text(first, encoding="utf-8")
    empty_all_but_articles()
    out, err, error = run_import(str(tmp_path / "claims.jsonld"))
    assert (out.strip(), err, error) == ("created 5, unchanged 0, failed 0", "", None)
    second = export("w3c")
    assert without_ids_and_times(second) == without_ids_and_times(first)
    assert len(without_ids_and_times(first)) == 5
    assert Source.objects.get(name="Hoeryong resident").sensitive

    def csv_without_ids_and_times(text):
        ignored = {"claim_id", "reviewed_at", "created_at", "updated_at"}
        return [{k: v for k, v in row.items() if k not in ignored} for row in csv.DictReader(io.StringIO(text))]

    assert csv_without_ids_and_times(export("csv")) == csv_without_ids_and_times(first_csv)
    assert run_import(str(tmp_path / "claims.jsonld"))[0].strip() == "created 0, unchanged 5, failed 0"


def test_round_trip_through_json_lines(tmp_path):
    tagged_corpus()
    first = export("jsonl")
    (tmp_path / "claims.jsonl").write_text(first, encoding="utf-8")
    empty_all_but_articles()
    assert run_import(str(tmp_path / "claims.jsonl"))[2] is None
    ignored = {"claim_id", "reviewed_at", "created_at", "updated_at"}

    def comparable(text):
        return [{k: v for k, v in json.loads(line).items() if k not in ignored} for line in text.splitlines()]

    assert comparable(export("jsonl")) == comparable(first)


def test_a_sensitive_source_an_import_registers_leaves_the_fact_addresses_that_spell_it(article, tmp_path):
    from annotate.services import register_fact

    fact = register_fact(statement="Choe Myong-hui confirmed the figures")
    assert fact.slug == "choe-myong-hui-confirmed-the-figures"
    source = {
        "type": "TextualBody",
        "purpose": "describing",
        "value": "Choe Myong-hui",
        "prov:sourceKind": "in_country_informant",
        "prov:sourceSensitive": True,
    }
    item = annotation("Nobody voted against, not one.", kind="in_country_informant")
    item["body"].append(source)
    out, err, error = run_import(write(tmp_path, item))
    assert error is None and Source.objects.get(name="Choe Myong-hui").sensitive, (out, err)
    fact.refresh_from_db()
    assert fact.slug == "confirmed-the-figures"
