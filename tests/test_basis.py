"""The basis rules and flags of the dashboard: one pure function."""

import doctest

import pytest

from annotate import basis as basis_module
from annotate.basis import basis as basis_of_roles

ROLES = {
    "state_media": "origin",
    "in_country_informant": "origin",
    "think_tank": "origin",
    "unsourced_quote": "unsourced",
    "foreign_government": "origin",
    "expert": "origin",
    "news_agency": "relay",
    "outlet_reporting": "relay",
    "defector_testimony": "origin",
}


def basis(kinds, named_sources=0):
    """The basis with the default kinds' roles."""
    return basis_of_roles(kinds, named_sources, roles=ROLES)


def test_doctests():
    assert doctest.testmod(basis_module).failed == 0


def test_relaying_kinds_do_not_count_when_something_else_supports_the_fact():
    b = basis({"state_media", "news_agency", "outlet_reporting"}, named_sources=3)
    assert b.kinds == {"state_media"}
    assert b.one_kind_only and not b.corroborated


def test_relaying_kinds_count_when_they_are_all_there_is():
    b = basis({"news_agency", "outlet_reporting"}, named_sources=2)
    assert b.kinds == {"news_agency", "outlet_reporting"}
    assert b.corroborated and not b.one_kind_only


def test_one_kind_only_however_many_articles_repeat_it():
    b = basis(["state_media"] * 5, named_sources=3)
    assert b.flags() == ["one_kind_only"]


def test_one_source_only():
    assert basis({"state_media", "news_agency"}, named_sources=1).flags() == ["one_kind_only", "one_source_only"]


def test_corroborated_needs_two_independent_attributable_kinds():
    assert basis({"in_country_informant", "think_tank"}, 4).flags() == ["corroborated"]
    assert not basis({"in_country_informant", "unsourced_quote"}, 2).corroborated


def test_unsourced_when_only_unattributed_assertions_support_it():
    b = basis({"unsourced_quote", "news_agency"}, named_sources=0)
    assert b.kinds == {"unsourced_quote"}
    assert b.flags() == ["unsourced"]


@pytest.mark.parametrize("kinds", [set(), frozenset()])
def test_a_fact_without_claims_has_no_flags(kinds):
    assert basis(kinds).flags() == []
