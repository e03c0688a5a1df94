"""The masking rule: pseudonyms for sensitive sources, redaction of their names inside free text."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotate.masking import Mask, mask_for, remove_sensitive_names, skeleton
from annotate.models import SourceAlias
from annotate.names import is_reserved, name_key, pseudonym_number
from annotate.services import register_source

from .factories import kind, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def informants():
    kim = register_source(name="Kim Chol-su", kind=kind("in_country_informant"), sensitive=True)
    SourceAlias.objects.create(source=kim, name="Hyesan resident")
    park = register_source(name="박영희", kind=kind("in_country_informant"), sensitive=True)
    register_source(name="KCNA", kind=kind())
    return kim, park


def reader():
    return Mask.for_reader(reveal=False)


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Kim Chol-su said so.", "[protected] said so."),
        ("KIM CHOL-SU said so.", "[protected] said so."),
        ("kim  chol‑su (by phone)", "[protected] (by phone)"),  # two spaces, a non-breaking hyphen
        ("Ｋｉｍ Chol-su", "[protected]"),  # full width
        ("Kim Chol\u00ad-su and Kim Ch\u200bol-su", "[protected] and [protected]"),  # soft hyphen, zero width
        ("Kím Chol-su", "[protected]"),  # accents do not hide a name
        ("Kim Cholsu said so.", "[protected] said so."),  # a given name written as one word
        ("KimChol-su and Kim\u200bChol su", "[protected] and [protected]"),  # run together, or by a zero-width space
        ("K\u0456m Chol-su and \u041a\u0406\u041c CHOL-SU", "[protected] and [protected]"),  # Cyrillic look-alikes
        ("Kimcholsung Pak", "Kimcholsung Pak"),  # a longer word is another name, run together too
        ("Kim Chol-su\ua4da and \u13aaKim Chol-su", "[protected]\ua4da and \u13aa[protected]"),  # Lisu, Cherokee beside
        ("A Hyesan resident told us; Kim Chol-su's cousin too.", "A [protected] told us; [protected]'s cousin too."),
        ("박영희가 말했다", "[protected]가 말했다"),  # a Hangul name takes its particle without a space
        ("Kim Chol-su가 말했다", "[protected]가 말했다"),  # so does a romanised one, in Korean text
        ("소식통Kim Chol-su에 따르면", "소식통[protected]에 따르면"),
        ("Kim Chol-sung is someone else", "Kim Chol-sung is someone else"),  # a longer word is another name
        ("Nothing to hide here, KCNA said.", "Nothing to hide here, KCNA said."),
        ("", ""),
    ],
)
def test_sensitive_names_inside_free_text_are_redacted(informants, text, shown):
    assert reader().text(text) == shown


def test_those_who_may_see_and_the_author_read_text_as_written(informants):
    editor, rita = make_user("ed", role="editor"), make_user("rita")
    assert mask_for(editor).text("Kim Chol-su said") == "Kim Chol-su said"
    assert mask_for(rita).text("Kim Chol-su said", author_id=rita.pk) == "Kim Chol-su said"
    assert mask_for(rita).text("Kim Chol-su said", author_id=editor.pk) == "[protected] said"


def test_sensitive_sources_get_stable_pseudonyms(informants):
    kim, park = informants
    mask = reader()
    assert mask.source(kim.pk, kim.name, True) == "Protected source 1"
    assert mask.source(park.pk, park.name, True) == "Protected source 2"
    assert mask.source(None, "KCNA", False) == "KCNA"
    assert mask.pseudonymous_source("protected  SOURCE 2") == park.pk
    assert Mask.for_reader(reveal=True).source(kim.pk, kim.name, True) == "Kim Chol-su"


def test_a_web_address_leaves_sensitive_names_out(informants):
    assert remove_sensitive_names("Kim Chol-su reports a turnout of 99.63%").strip() == "reports a turnout of 99.63%"


def test_short_names_are_not_run_together_into_ordinary_words():
    """ "Li Na" run together is "Lina": hiding every Lina would show a reader the shape of a protected name."""
    register_source(name="Li Na", kind=kind("in_country_informant"), sensitive=True)
    assert reader().text("Lina and Anna said Li Na was there.") == "Lina and Anna said [protected] was there."


def test_names_compare_by_one_key():
    assert name_key("\u212aim") == name_key("KIM") == name_key(" kim ") == "kim"
    assert skeleton("José") == skeleton("JOSE\u0301") == "jose"
    # marks and format characters dropped, every space or dash one space, the rest as it is
    assert skeleton("Kim\u00a0\u2003Chol\u2011su\u200d\u00ad \u20ddPak") == "kim chol su pak"
    assert skeleton("Kim\u2014Chol\u2e3asu\u3000Pak") == "kim chol su pak"
    assert is_reserved("Protected Source 12") and is_reserved("[PROTECTED]") and not is_reserved("Protected area")
    assert pseudonym_number("protected source #7") == 7 and pseudonym_number("KCNA") is None


def _reference_matches(keys, text):
    """Every place a key is found with its word boundaries, by brute force: the leftmost place, and there
    the longest key, then on after it (what `finditer` gives)."""
    from annotate.masking import _wordlike

    def fits(key, at):
        end = at + len(key)
        if text[at:end] != key:
            return False
        if _wordlike(key[0]) and at > 0 and blocks(text[at - 1]):
            return False
        return not (_wordlike(key[-1]) and end < len(text) and blocks(text[end]))

    def blocks(char):  # a word character of a script that separates words with spaces (or an underscore)
        return char == "_" or _wordlike(char)

    found, at = [], 0
    while at < len(text):
        lengths = [len(key) for key in keys if fits(key, at)]
        if lengths:
            found.append((at, at + max(lengths)))
            at += max(lengths)
        else:
            at += 1
    return found


NAME_PIECES = st.text(alphabet="ab -가é.", min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(
    keys=st.lists(st.lists(NAME_PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=8), data=st.data()
)
@example(keys=["ab", "ab-ab"], data=None)
def test_the_names_pattern_finds_every_name_the_longest_first(keys, data):
    """The pattern is written as a trie for speed; it must find exactly what looking for each key would."""
    from annotate.masking import _flat, _keys, _pattern

    keys = _keys(keys)
    if not keys:
        assert _pattern(keys) is None
        return
    # Texts made of the keys themselves and pieces around them, so that names meet, nest and overlap.
    pieces = st.one_of(st.sampled_from(keys), NAME_PIECES)
    texts = [data.draw(st.lists(pieces, max_size=8).map("".join))] if data else [" ".join(keys), "-".join(keys)]
    for text in texts:
        expected = _reference_matches(keys, text)
        for pattern in (_pattern(keys), _flat(keys)):
            assert [m.span() for m in pattern.finditer(text)] == expected, pattern.pattern


def test_a_registry_too_deep_for_a_trie_still_gets_a_pattern():
    from annotate.masking import _pattern

    keys = tuple("ab" * n + "c" for n in range(1, 700))
    pattern = _pattern(keys)
    assert pattern.search("x " + "ab" * 300 + "c y").span() == (2, 603)
    assert pattern.search("x " + "ab" * 300 + "cd y") is None


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Kim Chol-su Pak said so.", "[protected] said so."),  # two protected names overlapping
        ("Informant K. Ri Yong said so.", "[protected] said so."),  # one ends with what the other begins with
        ("Kim Chol and Chol-su Pak", "[protected] and [protected]"),
    ],
)
def test_protected_names_that_overlap_are_hidden_whole(text, shown):
    for name in ("Kim Chol", "Chol-su Pak", "Informant K", "Informant K.", ". Ri Yong"):
        register_source(name=name, kind=kind("in_country_informant"), sensitive=True)
    assert reader().text(text) == shown


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.lists(NAME_PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=6), data=st.data()
)
def test_no_protected_name_can_be_read_in_redacted_text(keys, data):
    """Whatever the names and however they meet or overlap, none is left to read in what the mask shows."""
    from annotate.masking import _keys, _pattern, _redact

    keys = _keys(keys)
    if not keys:
        return
    text = data.draw(st.lists(st.one_of(st.sampled_from(keys), NAME_PIECES), max_size=8).map("".join))
    shown = skeleton(_redact(text, _pattern(keys), "#"))
    assert _reference_matches(keys, shown) == [], (text, shown)
