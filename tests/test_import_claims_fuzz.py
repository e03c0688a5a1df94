"""Whatever a file holds, importing it ends in reported outcomes: never an exception, never half an annotation.

Generated JSON values (random structures, and valid annotations with one part swapped for something else)
go through `parse`, `Importer.run` and `read`, the three places a file's content passes.
"""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.models import Claim, Fact, ReviewEvent, Source, SourceAlias
from interchange.importing import Importer, import_items
from interchange.reading import FileProblem, Incoming, Rejected, parse, read
from interchange.w3c import KIND_NS

from .factories import make_article, make_user
from .test_import_claims import TEXT, URL, annotation

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure in CI is one anyone can repeat
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

KEYS = [
    "type", "id", "target", "body", "source", "selector", "exact", "prefix", "suffix", "start", "end", "purpose",
    "value", "creator", "nickname", "name", "first", "items", "next", "prov:note", "prov:status", "prov:reviewer",
    "prov:reviewedAt", "prov:fact", "prov:factStatement", "prov:via", "prov:article", "prov:sourceKind",
    "prov:sourceSensitive", "article_slug", "article_url", "kind", "note", "status", "annotator",
]  # fmt: skip
WORDS = [
    "", " ", "\x00", "\ud800", "\udfff", "a\x00b", "\x07", "K", "\u212a", "x" * 400, "KCNA said", "99.63%",
    "classifying", "describing", "TextualBody", "SpecificResource", "TextQuoteSelector", "TextPositionSelector",
    "Annotation", "AnnotationCollection", "AnnotationPage", KIND_NS + "state_media", KIND_NS, URL, "http://[::1",
    "accepted", "rejected", "pending", "wrong_span", "relayed", "rita", "ed", "no spaces allowed", "r" * 200,
    "2026-01-02T03:04:05Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "protected source",
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def paths(value, prefix=()):
    """Every place inside a JSON value, as a tuple of keys and indexes."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def replaced(value, path, new):
    if not path:
        return new
    value = copy.deepcopy(value)
    holder = value
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return value


def base_annotation() -> dict:
    value = annotation(
        "KCNA said",
        creator="fuzzer",
        **{"prov:status": "accepted", "prov:reviewer": "fuzz-desk", "prov:note": "A note", "prov:fact": "fuzz"},
    )
    value["prov:factStatement"] = "Fuzzed fact"
    value["body"].append({"type": "TextualBody", "purpose": "describing", "value": "Fuzz source"})
    return value


BASE = base_annotation()
PATHS = list(paths(BASE))
mutated_annotations = st.builds(replaced, st.just(BASE), st.sampled_from(PATHS), json_values)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Claim, ReviewEvent, Source, SourceAlias, Fact)}


@FUZZ
@given(value=json_values | mutated_annotations)
def test_parse_returns_an_annotation_or_says_why_not(value):
    try:
        assert isinstance(parse("annotation 1", value), Incoming)
    except Rejected as exc:
        assert str(exc)


@pytest.fixture
def setting():
    make_article(TEXT, title="Turnout report", source_url=URL)
    make_user("rita")  # an account that can sign in: the file may not use it
    return Importer()


@FUZZ
@given(value=mutated_annotations | json_values)
def test_every_annotation_is_stored_whole_or_reported_and_leaves_nothing(setting, value):
    before = counts()
    outcome = setting.run("annotation 1", value)
    after = counts()
    assert outcome.status in ("created", "unchanged", "failed")
    assert not outcome.reason.startswith("too large"), outcome.reason
    if outcome.status == "failed":
        assert outcome.reason and after == before
        outcome.ref.encode("utf-8")  # printable as it is
        outcome.reason.encode("utf-8")
    elif outcome.status == "unchanged":
        assert after == before
    else:
        assert after["Claim"] == before["Claim"] + 1
        Claim.objects.filter(pk=outcome.claim.pk).delete()  # so the next example can create it again


@FUZZ
@given(
    document=st.one_of(
        json_values.map(lambda value: json.dumps(value, ensure_ascii=False)),
        st.lists(mutated_annotations | json_values, max_size=4).map(
            lambda values: "".join(json.dumps(value) + "\n" for value in values)
        ),
        st.text(max_size=200),
    ),
    raw=st.binary(max_size=40),
)
def test_any_file_is_read_whole_or_refused_whole(setting, tmp_path_factory, document, raw):
    folder = tmp_path_factory.mktemp("files")
    for name, content in (
        ("doc.jsonld", document.encode("utf-8", "backslashreplace")),
        ("raw.jsonl", raw),
        ("mixed.jsonl", document.encode("utf-8", "backslashreplace") + raw),
    ):
        path = folder / name
        path.write_bytes(content)
        try:
            outcomes = list(import_items(read(path)))
        except FileProblem as exc:
            assert str(exc)
            continue
        assert all(outcome.status in ("created", "unchanged", "failed") for outcome in outcomes)
