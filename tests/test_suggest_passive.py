"""A reporting verb in the passive credits its agent, wherever the "by" comes: right after the verb ("as
reported by X") or after what the subject was called ("was described as a sham by X"); without an agent, or
with the agent of another verb, it credits no one."""

import pytest

from suggest.engine import OWN_VOICE, suggest


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("The vote was described as a sham by Kim Min-su, a researcher at the Sejong Institute.", "expert",
         "Kim Min-su"),
        ("The vote was described as a sham by the unification ministry on Tuesday.", "foreign_government",
         "unification ministry"),
        ("He was accused of fraud by prosecutors in Seoul.", "foreign_government", "prosecutors in Seoul"),
        ("Turnout was 99 percent, as reported by the KCNA on Monday.", "state_media", "KCNA"),
    ],
)  # fmt: skip
def test_a_passive_cue_credits_its_agent_and_the_sentence_is_the_claim(text, kind, source):
    (found,) = suggest(text)
    assert (found.exact, found.kind, found.source) == (text.rstrip("."), kind, source)


@pytest.mark.parametrize(
    "text",
    [
        "It was described as a success at the time.",  # no agent
        "The boxes were reported to be watched by guards at every station.",  # the guards watched
        "A picture of Kim voting as reported by state media.",  # a caption
    ],
)
def test_no_agent_of_the_cue_no_claim(text):
    assert suggest(text) == []


def test_the_agent_of_another_verb_is_credited_with_nothing():
    # The officials rigged the election; they did not say it was rigged: at most the outlet's own statement.
    (found,) = suggest("The election was described as rigged by officials in Seoul.")
    assert (found.kind, found.source, found.reason) == ("outlet_reporting", None, OWN_VOICE)
