"""The exports PostgreSQL writes (COPY) are byte for byte those of the streamed Python path, masking included."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.masking import Mask, mask_for, skeleton
from annotate.models import Claim, Source, SourceAlias
from annotate.relays import ClaimRelay
from interchange import copying, csvfield, export, redacting

from .factories import make_article, make_claim, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

# Free text that a spreadsheet or a reader would trip on, and names of a sensitive source hidden in it.
TRICKY = [
    "=SUM(A1)",
    "+1 555",
    "-2",
    "@cmd",
    "\tindented",
    "\r\nbroken",
    "\nnewline first",
    "\uff1dfull-width",
    "innocent;=4*5;text",
    'a "quoted", field',
    'x,"=1+2"',
    "tab\there\t-1",
    "semi;colon",
    "Kim Chol, Hyesan said so",
    "KIM  CHOL,\u00a0hyesan again",
    "K\u0131m Chol, Hyesan (dotless i: not the name)",
    "KimChol, Hyesan run together",
    "Kim\u200bChol,\u200bHyesan with zero-width spaces",
    "K\u0456m Chol, Hyesan with a Cyrillic i",
    "Ｋｉｍ Ｃｈｏｌ, Ｈｙｅｓａｎ in full width",
    "Jos\u00e9 of Hyesan",
    "김철수가 말했다",
    "emoji 🇰🇵 and \u2028 separator \u2029 and \x85 next line",
    "back\\slash \\N and \\. alone",
    "\\.",
    "",
    "plain",
    "100% sure, %s and %(name)s",
    "'already quoted",
    ",",
    '"',
]


@pytest.fixture
def tricky():
    """Claims whose every free text (note, via, proposed names, fact, title, outlet) is one of TRICKY."""
    text = "The voter turnout was 99.63%. Nobody voted against it at all, said Kim Chol, Hyesan."
    rita, ed = make_user("rita"), make_user("ed", role="editor")
    informant = make_claim(
        make_article(text), 30, 51, kind_slug="in_country_informant", annotator=rita, source_name="Kim Chol, Hyesan"
    )
    Source.objects.filter(pk=informant.source_id).update(sensitive=True)
    SourceAlias.objects.create(source_id=informant.source_id, name="José of Hyesan")
    kcna = make_claim(
        make_article(text + " 2", title="=HYPERLINK(x)", outlet="@outlet;-1"), 0, 9, source_name="+KCNA", fact="-1 fact"
    ).source
    claims = []
    for n, value in enumerate(TRICKY):
        article = make_article(
            f"{text} {n}.", title=f"{value} {n}", outlet=value or None, published=dt.date(2023, 1, 2)
        )
        claim = make_claim(article, 0, 9, annotator=(rita, ed)[n % 2], fact=f"Fact {n}: {value}" if n % 3 else "")
        claims.append(claim.pk)
        Claim.objects.filter(pk=claim.pk).update(
            note=value,
            proposed_source="" if n % 4 else value,
            proposed_fact=value if n % 3 == 0 else "",
            review_note=value,
            reviewer=ed if n % 5 == 0 else None,
            reviewed_at=timezone.now() if n % 5 == 0 else None,
        )
        # A relay chain: a proposed name (the tricky text), then a registry source, sensitive every other time.
        chain = [(None, value[:200])] if value else []
        chain += [(Source.objects.get(pk=informant.source_id) if n % 2 else kcna, "")]
        ClaimRelay.objects.bulk_create(
            ClaimRelay(claim_id=claim.pk, position=position, source=source, proposed=proposed)
            for position, (source, proposed) in enumerate(chain)
        )
    return {"rita": rita, "ed": ed}


def python_csv(claims, mask, bom=False) -> bytes:
    return "".join(export.csv_chunks(export.csv_lines(claims, mask=mask), bom=bom)).encode()


def python_jsonl(claims, mask) -> bytes:
    return "".join(export.jsonl_chunks(export.rows(claims, mask=mask))).encode()


def masks(tricky):
    return {
        "reviewer": mask_for(tricky["rita"]),
        "editor": mask_for(tricky["ed"]),
        "file, protected": Mask.for_reader(reveal=False),
        "file, with sensitive names": Mask.for_reader(reveal=True),
    }


@pytest.mark.parametrize("reader", ["reviewer", "editor", "file, protected", "file, with sensitive names"])
def test_copy_csv_and_jsonl_equal_the_python_path_byte_for_byte(tricky, reader):
    mask, claims = masks(tricky)[reader], Claim.objects.all()
    ours = b"".join(copying.csv_chunks(claims, mask=mask, bom=True))
    assert ours == python_csv(claims, mask, bom=True)
    assert b"".join(copying.jsonl_chunks(claims, mask=mask)) == python_jsonl(claims, mask)


def test_copy_hides_the_sensitive_name_from_a_reviewer_and_shows_it_to_an_editor(tricky):
    claims = Claim.objects.all()
    reviewer = b"".join(copying.csv_chunks(claims, mask=mask_for(tricky["rita"]))).decode()
    editor = b"".join(copying.csv_chunks(claims, mask=mask_for(tricky["ed"]))).decode()
    for text in (reviewer, editor):
        assert "'=SUM(A1)" in text and "innocent;'=4*5;text" in text
    # Rita's own notes stay as she wrote them; the editor's notes that name the informant are redacted for her.
    assert "Protected source 1" in reviewer and "[protected]" in reviewer
    assert "Kim Chol, Hyesan" in editor and "Protected source 1" not in editor


def test_copy_keeps_the_filters_and_an_empty_selection(tricky):
    claims = Claim.objects.filter(annotator=tricky["ed"])
    mask = mask_for(tricky["rita"])
    assert b"".join(copying.csv_chunks(claims, mask=mask)) == python_csv(claims, mask)
    none = Claim.objects.none()
    assert b"".join(copying.jsonl_chunks(none, mask=mask)) == b""
    nothing = Claim.objects.filter(pk=-1)  # a query PostgreSQL runs, which copies no row
    assert b"".join(copying.jsonl_chunks(nothing, mask=mask)) == b"" == python_jsonl(nothing, mask)
    assert b"".join(copying.csv_chunks(nothing, mask=mask)) == python_csv(nothing, mask)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30))
def test_the_sql_formula_guard_is_csv_safe(value):
    query = copying._Query(Claim.objects.all(), Mask.for_reader(reveal=True), csv=True)
    sql = query.guard("%s::text")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [value] * sql.count("%s"))
        assert (cursor.fetchone()[0] or "") == csvfield.csv_safe(value)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127, blacklist_characters="\x00"), max_size=30))
def test_the_sql_skeleton_of_ascii_text_is_the_masks(value):
    upper, lower = redacting.ASCII_UPPER + redacting.ASCII_SPACES, redacting.ASCII_UPPER.lower()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT regexp_replace(translate(%s, %s, %s), ' {2,}', ' ', 'g')",
            [value, upper, lower + " " * len(redacting.ASCII_SPACES)],
        )
        assert cursor.fetchone()[0] == skeleton(value)


def test_copy_writes_relay_chains_in_position_order_and_only_the_selections(tricky):
    """Chains are joined from the relays grouped by claim: in position order however the rows were written,
    each with its own claim's relays, a claim without relays empty, and a filtered export the same; quotes
    and contexts with formula signs after separators, guarded as the Python path guards them."""
    text = "=Agencies,-relayed it;@first one,\t+then another,\r\n=then \u2028a third."
    kcna, sensitive = Source.objects.get(name="+KCNA"), Source.objects.get(sensitive=True)
    article = make_article(text)
    plain = make_claim(article, 0, 8)  # no relays
    long = make_claim(article, 9, 16, annotator=tricky["rita"])
    chain = [(3, None, "Third, =last"), (0, kcna, ""), (2, sensitive, ""), (1, None, "Kim Chol, Hyesan")]
    ClaimRelay.objects.bulk_create(  # written out of position order
        ClaimRelay(claim_id=long.pk, position=position, source=source, proposed=proposed)
        for position, source, proposed in chain
    )
    for reader, mask in masks(tricky).items():
        for claims in (Claim.objects.all(), Claim.objects.filter(pk__in=[plain.pk, long.pk])):
            assert b"".join(copying.csv_chunks(claims, mask=mask)) == python_csv(claims, mask), reader
            assert b"".join(copying.jsonl_chunks(claims, mask=mask)) == python_jsonl(claims, mask), reader
    editor = b"".join(copying.csv_chunks(Claim.objects.filter(pk=long.pk), mask=mask_for(tricky["ed"]))).decode()
    assert ',"\'+KCNA; Kim Chol, Hyesan; Kim Chol, Hyesan; Third, =last",' in editor


@pytest.mark.parametrize("table", [{1: "a", 3: "b'%s", 4: None}, {1: "a", 3: "b'%s", 5000: "z"}])
def test_a_value_by_id_is_the_tables_whether_read_from_an_array_or_an_object(table):
    """Dense ids are read by position in a jsonb array, sparse ones by key in an object: the same values."""
    with connection.cursor() as cursor:
        for pk in (1, 2, 3, 4, 5000, 5001):
            sql = copying._by_id(table, "%s::bigint")
            cursor.execute(f"SELECT {sql}", [pk] * sql.count("%s::bigint"))
            assert cursor.fetchone()[0] == table.get(pk)
