"""The masking rule: pseudonyms for sensitive sources, redaction of their names inside free text."""

import pytest

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
        ("A Hyesan resident told us; Kim Chol-su's cousin too.", "A [protected] told us; [protected]'s cousin too."),
        ("박영희가 말했다", "[protected]가 말했다"),  # a Hangul name takes its particle without a space
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


def test_names_compare_by_one_key():
    assert name_key("\u212aim") == name_key("KIM") == name_key(" kim ") == "kim"
    assert skeleton("José") == skeleton("JOSE\u0301") == "jose"
    assert is_reserved("Protected Source 12") and is_reserved("[PROTECTED]") and not is_reserved("Protected area")
    assert pseudonym_number("protected source #7") == 7 and pseudonym_number("KCNA") is None
