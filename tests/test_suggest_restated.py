"""A sentence that names no source but restates a registered fact by its precise figures: the outlet's own
reporting of that fact, proposed only when the facts are known."""

from dataclasses import replace

import pytest

from suggest.engine import OWN_VOICE, suggest
from suggest.facts import FactDoc, FactIndex, content_words, precise
from suggest.gazetteer import Entry, Gazetteer

FACTS = FactIndex(
    [
        FactDoc("turnout-99-63", "Turnout was 99.63%.", ("The voter turnout was recorded at 99.63 percent",), 3),
        FactDoc("deputies-27858", "27,858 deputies were elected to local assemblies.", (), 2),
        FactDoc("full-approval", "Approval was 100% in the 2019 elections.", ("100 percent voted for them",), 2),
        FactDoc("ko-turnout", "투표율 99.63%", ("조선중앙통신은 투표율이 99.63%라고 보도했다",), 2),
    ]
)


@pytest.mark.parametrize(
    ("figure", "is_precise"),
    [("99.63", True), ("0.09", True), ("27858", True), ("317", True), ("100", False), ("5000", False),
     ("1956", False), ("2023", False), ("26", False)],
)  # fmt: skip
def test_a_precise_figure_is_a_decimal_or_a_count_neither_round_nor_a_year(figure, is_precise):
    assert precise(figure) is is_precise


def test_a_sentence_restating_a_fact_by_its_figure_is_the_outlets_reporting():
    text = "The local elections saw a record voter turnout of 99.63 percent."
    (found,) = suggest(text, facts=FACTS)
    assert (found.exact, found.kind, found.source) == (text.rstrip("."), "outlet_reporting", None)
    assert "restates a registered fact (99.63)" in found.reason and found.score < 0.6
    # Without the facts it is still the outlet's own statement of a figure, proposed lower and linked to nothing.
    (alone,) = suggest(text)
    assert (alone.kind, alone.fact, alone.reason) == ("outlet_reporting", "", OWN_VOICE) and alone.score < found.score


def test_the_fact_with_the_rarest_shared_figure_is_the_one_restated():
    restated = FACTS.restated("In all 27,858 deputies were elected, on a turnout of 99.63 percent.")
    assert restated is not None and restated.slug == "deputies-27858" and "27858" in restated.reason


@pytest.mark.parametrize(
    "text",
    [
        "Approval was 100 percent in 2019, as in every election before.",  # a round figure and a year
        "The new bridge over the river is 99.63 metres long.",  # the figure, but nothing of what it measures
        "Was the turnout really 99.63 percent?",  # a question asks, it does not state
        "The turnout was 99.63 percent",  # a headline: no sentence of its own
        "He read out the result. “The turnout was 99.63 percent in every district.”",  # someone's words
    ],
)
def test_no_restatement_without_a_precise_figure_of_what_the_fact_measures(text):
    assert [s for s in suggest(text, facts=FACTS) if s.reason.startswith("restates")] == []


def test_a_sentence_that_credits_a_source_is_theirs_and_not_restated():
    registry = Gazetteer.of([Entry("KCNA", "state_media", 1)])
    (found,) = suggest("Turnout was 99.63 percent in the local elections, the KCNA said.", registry, facts=FACTS)
    assert (found.kind, found.source) == ("state_media", "KCNA") and found.reason.startswith("cue")


def test_a_restatement_already_tagged_or_dismissed_is_not_proposed():
    text = "The local elections saw a record voter turnout of 99.63 percent."
    assert suggest(text, facts=FACTS, tagged=[(0, len(text) - 1)]) == []
    assert suggest(text, facts=FACTS, dismissed=[text.rstrip(".")]) == []


def test_a_korean_sentence_restating_a_fact():
    text = "이번 선거의 투표율이 99.63%에 달했다."
    (found,) = suggest(text, facts=FACTS)
    assert (found.exact, found.kind) == ("이번 선거의 투표율이 99.63%에 달했다", "outlet_reporting")
    assert suggest("새 다리의 길이는 99.63미터에 달했다.", facts=FACTS) == []  # the figure measures something else


def test_korean_words_are_compared_without_their_particles():
    index = FactIndex([FactDoc("ko-turnout", "투표율 99.63%", ("조선중앙통신은 투표율이 99.63%라고 보도했다",), 2)])
    assert content_words("이번 선거의 투표율은 99.63%로 집계됐다") >= {"투표율", "선거"}
    assert "라고" not in content_words("투표율이 99.63%라고")
    (found,) = suggest("이번 선거의 투표율은 99.63%로 집계됐다.", facts=index)
    assert found.kind == "outlet_reporting" and "99.63" in found.reason
    assert index.rank("조선중앙통신이 투표율을 보도했다")[0].slug == "ko-turnout"  # particles of its own


def test_a_figure_alone_is_offered_but_not_linked_on_one_key():
    index = FactIndex([FactDoc("tanks", "The army fields 27,858 tanks.", (), 2)])
    (found,) = index.rank("A crowd of 27,858 people attended the rally in the capital.")
    assert found.slug == "tanks" and not found.firm  # the same count of something else
    (found,) = index.rank("Its army now fields 27,858 tanks, the ministry said.")
    assert found.slug == "tanks" and found.firm


def test_a_restatement_links_the_fact_it_restates_even_when_another_ranks_higher():
    from suggest.engine import Suggestion
    from suggest.reading import _candidates

    index = FactIndex(
        [
            FactDoc("turnout", "Turnout was 99.63%.", (), 3),
            FactDoc(
                "queues", "Voters queued at dawn in every province, county, city and village polling station", (), 1
            ),
        ]
    )
    text = "Voters queued at dawn in every province, county, city and village polling station; turnout was 99.63%."
    assert index.rank(text)[0].slug == "queues"
    found = Suggestion(0, len(text), text, "outlet_reporting", None, None, (), 0.6, "restates", fact="turnout")
    assert [(c.slug, c.firm) for c in _candidates(index, found)][0] == ("turnout", True)
    assert [c.slug for c in _candidates(index, replace(found, fact=""))] == ["queues", "turnout"]
