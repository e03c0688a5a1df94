"""Exports of tagged claims: CSV, JSON Lines and W3C Web Annotation, over HTTP and from the command."""

import csv
import datetime as dt
import io
import json
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotate.models import Claim, Source
from interchange import columns, csvfield, export, w3c

from .factories import make_article, make_claim, make_user, set_relays

pytestmark = pytest.mark.django_db

# Astral emoji (two UTF-16 units each, one a flag of two code points) and Hangul before the claims, so an
# offset counted in UTF-16 units or bytes instead of code points would be off.
TEXT = (
    "투표 🗳️ 결과 🇰🇵: KCNA said turnout was 99.63%. "
    'A resident said, "Nobody voted against,\nnot one." '
    "=SUM(A1) was in the sheet. 북한 선거는 끝났다."
)
COLUMNS = [
    "claim_id",
    "article_slug",
    "article_title",
    "outlet",
    "published",
    "article_url",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "kind",
    "kind_label",
    "source",
    "source_kind",
    "via",
    "directness",
    "fact_slug",
    "fact_statement",
    "status",
    "annotator",
    "reviewer",
    "reviewed_at",
    "review_reason",
    "note",
    "created_at",
    "updated_at",
]


def span(quote, text=TEXT):
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def corpus():
    """One article with three claims: state media (a fact), an informant (sensitive), and a formula-like quote."""
    article = make_article(
        TEXT,
        title='Turnout, "official" figures',
        outlet="NK Times",
        published=dt.date(2023, 12, 11),
        source_url="https://news.example/turnout",
    )
    rita = make_user("rita")
    turnout = make_claim(
        article,
        *span("KCNA said turnout was 99.63%."),
        source_name="KCNA",
        fact="Turnout was 99.63%",
        annotator=rita,
        note="Checked, twice",
    )
    informant = make_claim(
        article,
        *span('"Nobody voted against,\nnot one."'),
        kind_slug="in_country_informant",
        source_name="Hoeryong resident",
        annotator=rita,
    )
    Source.objects.filter(name="Hoeryong resident").update(sensitive=True)
    formula = make_claim(
        article,
        *span("=SUM(A1) was in the sheet."),
        kind_slug="unsourced_quote",
        source_name="@someone",
        annotator=rita,
    )
    Claim.objects.filter(pk=turnout.pk).update(
        status="accepted", reviewer=make_user("ed", role="editor"), reviewed_at=timezone.now()
    )
    return {"article": article, "rita": rita, "turnout": turnout, "informant": informant, "formula": formula}


def get(client, user, name, **query):
    client.force_login(user)
    return client.get(reverse(f"interchange:{name}"), query)


def body(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def jsonl_rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def by_exact(rows, quote):
    return next(row for row in rows if row["exact"] == quote)


# ---- CSV -----------------------------------------------------------------------------------------


def test_csv_has_the_documented_columns_in_order(client, corpus):
    text = body(get(client, corpus["rita"], "export_csv"))
    assert text.split("\r\n")[0].split(",") == COLUMNS
    assert list(columns.NAMES) == COLUMNS


def test_csv_has_one_row_per_claim_with_every_column(client, corpus):
    rows = csv_rows(body(get(client, corpus["rita"], "export_csv")))
    assert [int(row["claim_id"]) for row in rows] == sorted(Claim.objects.values_list("pk", flat=True))
    row = by_exact(rows, "KCNA said turnout was 99.63%.")
    start, end = span("KCNA said turnout was 99.63%.")
    assert row | {"claim_id": "", "created_at": "", "updated_at": "", "reviewed_at": ""} == {
        "claim_id": "",
        "article_slug": corpus["article"].slug,
        "article_title": 'Turnout, "official" figures',
        "outlet": "NK Times",
        "published": "2023-12-11",
        "article_url": "https://news.example/turnout",
        "start": str(start),
        "end": str(end),
        "exact": "KCNA said turnout was 99.63%.",
        "prefix": TEXT[max(0, start - 32) : start],
        "suffix": TEXT[end : end + 32],
        "kind": "state_media",
        "kind_label": "State media",
        "source": "KCNA",
        "source_kind": "state_media",
        "via": "",
        "directness": "",
        "fact_slug": "turnout-was-9963",
        "fact_statement": "Turnout was 99.63%",
        "status": "accepted",
        "annotator": "rita",
        "reviewer": "ed",
        "reviewed_at": "",
        "review_reason": "",
        "note": "Checked, twice",
        "created_at": "",
        "updated_at": "",
    }
    claim = Claim.objects.get(pk=corpus["turnout"].pk)
    assert row["created_at"] == claim.created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row["reviewed_at"] == claim.reviewed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_csv_quotes_commas_quotes_and_newlines_as_rfc_4180(client, corpus):
    text = body(get(client, corpus["rita"], "export_csv"))
    assert '"""Nobody voted against,\nnot one."""' in text  # quoted, inner quotes doubled, newline kept
    assert ',"Turnout, ""official"" figures",' in text
    assert text.endswith("\r\n") and text.count("\r\n") == 4  # header and three records; the inner \n is no line end
    row = by_exact(csv_rows(text), '"Nobody voted against,\nnot one."')
    assert row["kind"] == "in_country_informant"


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, corpus):
    text = body(get(client, corpus["rita"], "export_csv"))
    row = next(row for row in csv_rows(text) if row["kind"] == "unsourced_quote")
    assert row["exact"] == "'=SUM(A1) was in the sheet."
    assert row["source"] == "'@someone"
    assert row["prefix"].startswith("'") is False  # only cells that start with a trigger
    raw = jsonl_rows(body(get(client, corpus["rita"], "export_jsonl")))
    assert by_exact(raw, "=SUM(A1) was in the sheet.")["source"] == "@someone"  # JSON Lines keeps the data exact


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_every_formula_trigger_is_neutralised(start):
    record = [1, "a", "b", "", None, "", 0, 1, f"{start}cmd|' /C calc'!A0", "", "", *[""] * 16]
    cells = next(csv.reader(io.StringIO(csvfield.csv_line(record), newline="")))
    assert cells[8] == f"'{start}cmd|' /C calc'!A0"
    assert cells[4] == ""


FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cells_as_split_on(text: str, delimiter: str) -> list[str]:
    """The cells a spreadsheet sees when it opens the file splitting on `delimiter` (a European locale, a TSV).

    Both ways such a program may read it: every line cut at every delimiter, quotes ignored (a `"` in the
    middle of a field is no quote to it), and a CSV reader honouring quotes that open a field.
    """
    reader = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]
    if delimiter == ",":
        return reader  # the file's own separator: every reader honours its quotes
    naive = [cell for line in re.split(r"\r\n|\r|\n", text) for cell in line.split(delimiter)]
    return naive + reader


def assert_no_cell_is_a_formula(text: str) -> None:
    for delimiter in (",", ";", "\t"):
        for cell in cells_as_split_on(text, delimiter):
            opened = cell.lstrip('"')  # a quote that opens a field is not part of the cell
            assert not opened.startswith(FORMULA_STARTS), (delimiter, cell)


@pytest.mark.parametrize(
    "note",
    [
        "innocent;=4*5;text",
        "innocent\t=4*5\ttext",
        'innocent;"=4*5";text',
        "innocent,=4*5,'-1",
        'two lines\n=HYPERLINK("http://x")\r+1\r\n-2',
        "list;@SUM(A1);+1;-1",
        "\uff1dcmd;\uff0b1",
    ],
)
def test_a_formula_after_any_separator_inside_a_cell_is_neutralised(client, corpus, note):
    Claim.objects.filter(pk=corpus["turnout"].pk).update(note=note)
    set_relays(corpus["turnout"], note, proposed=True)
    text = body(get(client, corpus["rita"], "export_csv"))
    assert_no_cell_is_a_formula(text)
    row = by_exact(csv_rows(text), "KCNA said turnout was 99.63%.")
    assert row["note"] == csvfield.csv_safe(note) and row["note"].replace("'", "") == note.replace("'", "")
    assert row["via"] == csvfield.csv_safe(note)


def test_the_separator_rule_in_short():
    assert csvfield.csv_safe("innocent;=4*5;text") == "innocent;'=4*5;text"
    assert csvfield.csv_safe('a;"=1') == "a;\"'=1"
    assert csvfield.csv_safe("\uff1d1+1") == "'\uff1d1+1"
    assert csvfield.csv_safe("\n- a list") == "'\n'- a list"
    assert csvfield.csv_safe("north-east, 3 km; plain") == "north-east, 3 km; plain"
    assert csvfield.csv_safe(12) == 12


def test_csv_fields_are_those_csv_writer_writes_after_neutralising():
    """The export joins fields itself for speed; csv.writer (minimal quoting, CRLF) is the reference."""
    rng = random.Random(7)
    alphabet = [
        "a",
        "Z",
        " ",
        ",",
        '"',
        "\n",
        "\r",
        "\t",
        "=",
        "+",
        "-",
        "@",
        "'",
        "🗳️",
        "한",
        "\u2028",
        ";",
        "\uff1d",
        "\uff20",
    ]
    records = [
        [rng.randrange(10**6), None, *("".join(rng.choices(alphabet, k=rng.randrange(7))) for _ in range(25))]
        for _ in range(2_000)
    ]
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([csvfield.csv_safe(value) for value in record] for record in records)
    assert csvfield.csv_line(COLUMNS) + "".join(map(csvfield.csv_line, records)) == expected.getvalue()


def test_names_created_after_an_export_began_are_still_found(corpus):
    names = columns.Names.load()
    late = Source.objects.create(name="Late source", kind=corpus["turnout"].kind, sensitive=True)
    assert names.sources[late.pk] == ("Late source", True, "state_media")
    assert names.users[corpus["rita"].pk] == "rita"


def test_csv_byte_order_mark_only_on_request(client, corpus):
    plain = get(client, corpus["rita"], "export_csv")
    assert b"".join(plain.streaming_content).startswith(b"claim_id,")
    with_bom = get(client, corpus["rita"], "export_csv", bom="1")
    assert b"".join(with_bom.streaming_content).startswith(b"\xef\xbb\xbfclaim_id,")


def test_downloads_are_named_by_date_and_typed(client, corpus):
    today = timezone.localdate().isoformat()
    for name, extension, content_type in (
        ("export_csv", "csv", "text/csv"),
        ("export_jsonl", "jsonl", "application/jsonl"),
        ("export_jsonld", "jsonld", "application/ld+json"),
    ):
        response = get(client, corpus["rita"], name)
        assert response.streaming
        assert response["Content-Disposition"] == f'attachment; filename="claims-{today}.{extension}"'
        assert response["Content-Type"].startswith(content_type)


# ---- who sees what --------------------------------------------------------------------------------


def test_sensitive_source_names_are_protected_for_reviewers_and_shown_to_editors(client, corpus):
    quote = '"Nobody voted against,\nnot one."'
    for name, parse in (("export_csv", csv_rows), ("export_jsonl", jsonl_rows)):
        assert by_exact(parse(body(get(client, corpus["rita"], name))), quote)["source"] == "Protected source 1"
        editor = make_user(role="editor")
        assert by_exact(parse(body(get(client, editor, name))), quote)["source"] == "Hoeryong resident"
    jsonld = body(get(client, corpus["rita"], "export_jsonld"))
    assert "Hoeryong" not in jsonld and "Hoeryong" not in body(get(client, corpus["rita"], "export_csv"))


def test_export_needs_sign_in_and_the_permission(client, corpus):
    for name in ("export_csv", "export_jsonl", "export_jsonld"):
        url = reverse(f"interchange:{name}")
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
        client.force_login(make_user(role=None))
        assert client.get(url).status_code == 403
        client.force_login(corpus["rita"])
        assert client.post(url).status_code == 405


def test_reviewers_do_not_see_others_unreviewed_claims_on_independently_tagged_articles(client, corpus):
    article = corpus["article"]
    article.independent = True
    article.save()
    olga = make_user("olga")
    rows = csv_rows(body(get(client, olga, "export_csv")))
    assert [row["exact"] for row in rows] == ["KCNA said turnout was 99.63%."]  # the accepted one only
    assert len(csv_rows(body(get(client, corpus["rita"], "export_csv")))) == 3  # her own
    assert len(csv_rows(body(get(client, make_user(role="editor"), "export_csv")))) == 3


# ---- filters ------------------------------------------------------------------------------------


def test_export_takes_the_dashboards_filters_and_every_status_by_default(client, corpus):
    user = corpus["rita"]
    Claim.objects.filter(pk=corpus["formula"].pk).update(status="rejected", review_reason="not_a_claim")

    def exacts(**query):
        return sorted(row["exact"][:8] for row in csv_rows(body(get(client, user, "export_csv", **query))))

    assert len(exacts()) == 3  # rejected claims too, unlike the dashboard
    assert exacts(status="accepted") == ["KCNA sai"]
    assert exacts(status="rejected") == ["'=SUM(A1"]
    assert exacts(kind=["state_media", "unsourced_quote"]) == ["'=SUM(A1", "KCNA sai"]
    assert exacts(fact="turnout-was-9963") == ["KCNA sai"]
    assert exacts(fact="none") == ['"Nobody ', "'=SUM(A1"]
    assert exacts(article=corpus["article"].slug, annotator="rita", **{"from": "2023-12-01", "to": "2023-12-31"}) == [
        '"Nobody ',
        "'=SUM(A1",
        "KCNA sai",
    ]
    assert exacts(**{"from": "2024-01-01"}) == []
    assert exacts(outlet=str(corpus["article"].outlet_id), kind="state_media") == ["KCNA sai"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "bogus"}, "Unknown status"),
        ({"from": "28/11/2023"}, "is not a date"),
        ({"outlet": "NK Times"}, "outlet filter must be"),
        ({"kind": "state_media_typo"}, "Unknown kind: state_media_typo"),
        ({"fact": "no-such-fact"}, "Unknown fact"),
        ({"article": "no-such-article"}, "Unknown article"),
        ({"annotator": "nobody"}, "Unknown annotator"),
    ],
)
def test_a_filter_that_does_not_parse_refuses_the_export(client, corpus, query, message):
    for name in ("export_csv", "export_jsonl", "export_jsonld"):
        response = get(client, corpus["rita"], name, **query)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert message in response.content.decode()


# ---- the same records everywhere ------------------------------------------------------------------


def test_unicode_offsets_are_code_points_and_identical_in_csv_jsonl_and_w3c(client, corpus):
    quote = "=SUM(A1) was in the sheet."
    start, end = span(quote)
    utf16 = len(TEXT[:start].encode("utf-16-le")) // 2
    assert utf16 != start  # the emoji before it are astral: UTF-16 offsets would differ
    user = corpus["rita"]
    in_csv = next(row for row in csv_rows(body(get(client, user, "export_csv"))) if row["kind"] == "unsourced_quote")
    in_jsonl = by_exact(jsonl_rows(body(get(client, user, "export_jsonl"))), quote)
    collection = json.loads(body(get(client, user, "export_jsonld")))
    annotation = next(a for a in collection["first"]["items"] if a["id"].endswith(f"/claims/{corpus['formula'].pk}"))
    quote_selector, position = annotation["target"]["selector"]
    assert (int(in_csv["start"]), int(in_csv["end"])) == (start, end)
    assert (in_jsonl["start"], in_jsonl["end"]) == (start, end)
    assert (position["start"], position["end"]) == (start, end)
    assert quote_selector["exact"] == in_jsonl["exact"] == TEXT[start:end]
    assert quote_selector["prefix"] == in_jsonl["prefix"] == TEXT[start - 32 : start]


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_csv_and_json_lines_carry_the_same_records(client, corpus, role):
    """CSV rows are written straight from the database rows; JSON Lines from `record`'s values."""
    user = make_user(role=role)
    Claim.objects.filter(pk=corpus["informant"].pk).update(directness="relayed")
    set_relays(corpus["informant"], "=Yonhap", "KCNA")
    in_csv = body(get(client, user, "export_csv"))
    in_jsonl = jsonl_rows(body(get(client, user, "export_jsonl")))
    assert in_csv == csvfield.csv_line(COLUMNS) + "".join(csvfield.csv_line(row.values()) for row in in_jsonl)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_record_and_w3c_annotation_equal_the_streamed_ones(client, corpus, role):
    """The API's one-claim functions and the streaming path must never drift apart."""
    user = make_user(role=role)
    streamed = jsonl_rows(body(get(client, user, "export_jsonl")))
    collection = json.loads(body(get(client, user, "export_jsonld")))
    claims = export.with_export_related(Claim.objects.order_by("pk"))
    assert [export.record(claim, user) for claim in claims] == streamed
    base_url = "http://testserver"
    singles = [w3c.w3c_annotation(claim, user, base_url=base_url) for claim in claims]
    assert [single.pop("@context") for single in singles] == [w3c.CONTEXT] * 3
    assert singles == collection["first"]["items"]


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_json_exports_escape_what_some_readers_take_for_line_breaks(client, corpus, role):
    """U+2028, U+2029 and U+0085 are line breaks to str.splitlines() and to some JSON Lines readers."""
    note = "one\u2028two\u2029three\x85four\x0bfive\x1cend, 결과 🗳️"
    Claim.objects.filter(pk=corpus["turnout"].pk).update(note=note)
    user = corpus["rita"] if role == "reviewer" else make_user("eddie", role="editor")
    lines = body(get(client, user, "export_jsonl"))
    assert len(lines.splitlines()) == Claim.objects.count()
    assert by_exact(jsonl_rows(lines), "KCNA said turnout was 99.63%.")["note"] == note
    document = body(get(client, user, "export_jsonld"))
    items = json.loads(document)["first"]["items"]
    assert next(item for item in items if item.get("prov:note"))["prov:note"] == note
    for text in (lines, document):
        assert not {"\u2028", "\u2029", "\x85"} & set(text)
        assert "\\u2028" in text and "결과 🗳️" in text  # escaped; everything else stays UTF-8 as it is


def test_w3c_collection_shape(client, corpus):
    collection = json.loads(body(get(client, corpus["rita"], "export_jsonld", kind="state_media")))
    assert collection["@context"] == ["http://www.w3.org/ns/anno.jsonld", {"prov": "https://provenance.example/ns#"}]
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"] == "http://testserver/export/claims.jsonld?kind=state_media"
    assert collection["total"] == 1
    assert collection["first"]["type"] == "AnnotationPage"
    (annotation,) = collection["first"]["items"]
    claim = corpus["turnout"]
    start, end = span("KCNA said turnout was 99.63%.")
    assert annotation | {"created": "", "modified": "", "prov:reviewedAt": ""} == {
        "id": f"http://testserver/claims/{claim.pk}",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": "rita"},
        "created": "",
        "modified": "",
        "body": [
            {
                "type": "SpecificResource",
                "purpose": "classifying",
                "source": "https://provenance.example/ns/kind#state_media",
            },
            {
                "type": "TextualBody",
                "purpose": "describing",
                "format": "text/plain",
                "value": "KCNA",
                "prov:sourceKind": "state_media",
            },
        ],
        "target": {
            "type": "SpecificResource",
            "source": "https://news.example/turnout",
            "prov:article": corpus["article"].slug,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": "KCNA said turnout was 99.63%.",
                    "prefix": TEXT[max(0, start - 32) : start],
                    "suffix": TEXT[end : end + 32],
                },
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
        "prov:status": "accepted",
        "prov:fact": "turnout-was-9963",
        "prov:factStatement": "Turnout was 99.63%",
        "prov:note": "Checked, twice",
        "prov:reviewer": "ed",
        "prov:reviewedAt": "",
    }
    assert annotation["created"].endswith("Z") and annotation["prov:reviewedAt"].endswith("Z")


def test_w3c_marks_a_withheld_source_name_and_targets_this_site_without_a_source_url(client, corpus):
    Claim.objects.filter(pk=corpus["informant"].pk).update(article=make_article(TEXT + " ", title="No URL"))
    collection = json.loads(body(get(client, corpus["rita"], "export_jsonld", kind="in_country_informant")))
    (annotation,) = collection["first"]["items"]
    assert annotation["body"][1] == {
        "type": "TextualBody",
        "purpose": "describing",
        "format": "text/plain",
        "value": "Protected source 1",
        "prov:sourceKind": "in_country_informant",
        "prov:sourceSensitive": True,
        "prov:sourceProtected": True,
    }
    assert annotation["target"]["source"] == "http://testserver/articles/no-url/"


def test_an_empty_export_is_still_a_valid_file(client, corpus):
    user = corpus["rita"]
    assert body(get(client, user, "export_csv", status="changes_requested")) == ",".join(COLUMNS) + "\r\n"
    assert body(get(client, user, "export_jsonl", status="changes_requested")) == ""
    collection = json.loads(body(get(client, user, "export_jsonld", status="changes_requested")))
    assert collection["total"] == 0 and collection["first"]["items"] == []


# ---- streaming ----------------------------------------------------------------------------------


def test_streams_many_rows_per_chunk_in_a_constant_number_of_queries(client, corpus, monkeypatch):
    user = corpus["rita"]
    client.force_login(user)

    def queries_and_chunks(url):
        with CaptureQueriesContext(connection) as queries:
            chunks = list(client.get(url).streaming_content)
        return len(queries), len(chunks)

    url = reverse("interchange:export_csv")
    few = queries_and_chunks(url)
    article = make_article("Another text, with enough words in it for twenty claims to be tagged on it.")
    for i in range(20):
        make_claim(article, i, i + 3 + i % 5, kind_slug=["state_media", "expert"][i % 2], source_name=f"S{i % 3}")
    many = queries_and_chunks(url)
    assert many[0] == few[0]  # no query per claim, source, fact or user
    assert few[1] == many[1] == 2  # the header, then every row of a chunk at once
    monkeypatch.setattr(export, "CHUNK_ROWS", 10)
    assert queries_and_chunks(url)[1] == 1 + 3  # 23 rows in chunks of 10


# ---- the command --------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_claims", *args, "--no-progress", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_writes_the_same_csv_as_the_web_for_an_editor_when_told_to_include_sensitive(client, corpus, tmp_path):
    editor = make_user(role="editor")
    web = body(get(client, editor, "export_csv"))
    assert run("--format", "csv", "--include-sensitive") == web
    target = tmp_path / "claims.csv"
    run("--format", "csv", "--include-sensitive", "--output", str(target), "--bom")
    assert target.read_bytes() == b"\xef\xbb\xbf" + web.encode("utf-8")


def test_command_protects_sensitive_names_by_default(corpus):
    assert "Protected source 1" in run("--format", "csv") and "Hoeryong" not in run("--format", "jsonl")
    assert "Hoeryong" not in run("--format", "w3c")
    assert "Hoeryong resident" in run("--format", "jsonl", "--include-sensitive")


def test_command_formats_and_filters(corpus):
    rows = jsonl_rows(run("--format", "jsonl", "--kind", "state_media", "--kind", "unsourced_quote"))
    assert sorted(row["kind"] for row in rows) == ["state_media", "unsourced_quote"]
    assert len(jsonl_rows(run("--format", "jsonl", "--fact", "none", "--status", "pending"))) == 2
    collection = json.loads(run("--format", "w3c", "--base-url", "https://provenance.example.org/"))
    assert collection["id"] == "https://provenance.example.org/export/claims.jsonld"
    assert {a["id"].rsplit("/", 1)[0] for a in collection["first"]["items"]} == {
        "https://provenance.example.org/claims"
    }
    assert json.loads(run("--format", "w3c", "--status", "accepted"))["total"] == 1


def test_command_refuses_filters_that_do_not_parse(corpus, tmp_path):
    target = tmp_path / "claims.csv"
    with pytest.raises(CommandError, match="is not a date"):
        run("--from", "yesterday", "--output", str(target))
    with pytest.raises(CommandError, match="Unknown kind: nope"):
        run("--kind", "nope")
    assert not target.exists()
