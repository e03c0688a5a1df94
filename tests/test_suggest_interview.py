"""Interviews printed as questions and answers: the answers are proposed as the interviewee's account."""

import pytest

from suggest.engine import suggest
from suggest.gazetteer import Entry, Gazetteer

DASHES = """The Daily Record spoke with a resident of Sinuiju about the new ration rules.

―― When did the rules change?

The new rules began in March. Each family now collects its rations at the district office.

※ The district office is the lowest tier of local government.

―― How did people react?

People were angry at first.

A queue at a ration office in Sinuiju. Photo published by the Daily Record.

Nobody complained openly, because the police were watching.

※ The Daily Record reaches its sources by smuggled phones.

The Daily Record could not verify the account independently.
"""

LETTERS = """Mr. Harlan, a former customs officer, agreed to answer our questions.
We talked to the former customs officer in Tallinn.

Q: What did you see at the border?
A: Trucks crossed at night without inspection. The guards were paid to look away.

Q: Did anyone report it?
A: I reported it twice and nothing happened.
"""


def _by_reason(found):
    return [s for s in found if s.reason.startswith("an answer")]


def test_the_answers_of_an_interview_are_the_interviewees_and_nothing_else_is():
    answers = _by_reason(suggest(DASHES))
    assert [a.exact for a in answers] == [
        "The new rules began in March",
        "Each family now collects its rations at the district office",
        "People were angry at first",
        "Nobody complained openly, because the police were watching",
    ]  # not the questions, the notes, the photo's caption, nor the report's own text after the last note
    assert {a.kind for a in answers} == {"in_country_informant"}  # "a resident of Sinuiju": its wording


def test_answers_marked_a_are_proposed_without_the_mark_and_credited_to_the_registry_source():
    officer = Entry("Former customs officer", "expert", 1, False, ("the former customs officer",))
    answers = _by_reason(suggest(LETTERS, Gazetteer([officer])))
    assert [a.exact for a in answers] == [
        "Trucks crossed at night without inspection",
        "The guards were paid to look away",
        "I reported it twice and nothing happened",
    ]
    assert {(a.kind, a.source) for a in answers} == {("expert", "Former customs officer")}


@pytest.mark.parametrize(
    "text",
    [
        # One dashed paragraph is a list item or a dialogue line, not an interview.
        "We asked a resident of Hyesan about prices.\n\n— Rice doubled in price.\n\nPrices fell later in the year.\n",
        # Questions, but nobody is introduced as answering them.
        "―― What happened?\n\nThe market closed early.\n\n―― Why?\n\nThe police ordered it closed.\n",
    ],
)
def test_no_interview_no_answers(text):
    assert _by_reason(suggest(text)) == []


def test_an_answers_reason_does_not_carry_the_interviewees_name():
    protected = Entry("Choe Myong-hui", "in_country_informant", 1, True, ())
    text = (
        "We spoke with Choe Myong-hui about the vote.\n\n―― Did you vote?\n\nI voted for the candidate.\n\n"
        "―― Why?\n\nEveryone did so.\n"
    )
    answers = _by_reason(suggest(text, Gazetteer([protected])))
    assert [a.source for a in answers] == ["Choe Myong-hui", "Choe Myong-hui"]
    assert all("Choe" not in a.reason for a in answers)


def test_an_answer_that_passes_on_hearsay_is_the_unnamed_others_with_the_interviewee_as_relay():
    text = (
        "The Harbour Wire reached a source in the port of Sinpo by phone.\n\n"
        "―― How were the quotas announced?\nThe manager read them out at a meeting. Everyone signed the sheet.\n\n"
        "―― What happens to a crew that falls short?\nI heard that two captains were sent to a labour camp.\n"
    )
    found = _by_reason(suggest(text))
    assert [(a.exact, a.kind) for a in found] == [
        ("The manager read them out at a meeting", "in_country_informant"),  # an answer of three sentences
        ("Everyone signed the sheet", "in_country_informant"),  # is not a caption for its last one
        ("I heard that two captains were sent to a labour camp", "unsourced_quote"),
    ]
    assert found[0].source == "source in the port of Sinpo" and found[2].via == ("source in the port of Sinpo",)


def test_a_single_dash_opens_a_question_only_before_a_question_mark():
    # A list under an introduction is no interview: nothing after it is anyone's answer.
    text = (
        "Reuters asked the ministry for comment on the report on Monday.\n\n"
        "— Exports to China fell 12 percent in May.\n\n— Imports rose 3 percent in May.\n\n"
        "The won weakened 0.4 percent against the dollar on Tuesday.\n"
    )
    assert _by_reason(suggest(text)) == []


def test_marked_answers_are_the_only_answers_and_an_outlet_spoken_with_is_not_the_interviewee():
    text = (
        "Former diplomat Thae Ho spoke with The Weekly about the elections in the North.\n\n"
        "Q: Did anyone vote against the candidates?\nA: Nobody I know voted against anyone at all.\n\n"
        "Q: Why not?\nA: Everyone knew the guards watched the boxes.\n\n"
        "Thae is now a member of the National Assembly in Seoul.\n"
    )
    assert _by_reason(suggest(text)) == []  # "The Weekly" is no interviewee, and none other is introduced
    found = suggest(text.replace("spoke with The Weekly", "was interviewed; we asked a former diplomat"))
    assert [a.exact for a in _by_reason(found)] == [
        "Nobody I know voted against anyone at all",
        "Everyone knew the guards watched the boxes",
    ]  # not the closing paragraph, which is the report's own
    assert all("Q:" not in s.exact and "A:" not in s.exact and not s.exact.endswith("?") for s in found)


def test_answers_of_an_interviewee_not_introduced_are_not_the_outlets_own_voice():
    text = (
        "Q: What did you see in Hyesan in March?\n\n"
        "A: The police closed the Hyesan market on March 3 for two weeks.\n\n"
        "Q: Why?\n\nA: Nobody in Hyesan was told why.\n"
    )
    assert suggest(text) == []


def test_a_marked_answer_with_a_cue_is_proposed_without_its_mark():
    text = (
        "We asked a resident of Hyesan about the vote.\n\nQ: Did it go well?\n\n"
        "A: The police said everyone had voted by noon.\n\nQ: And you?\n\nA: I voted at ten in the morning.\n"
    )
    found = suggest(text)
    assert all(not s.exact.startswith("A:") and (s.source or "").find("A:") < 0 for s in found)
