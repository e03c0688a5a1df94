"""The suggestion engine as pure functions: cues, quotation shapes, source patterns, the registry, fact links."""

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suggest.engine import OWN_VOICE, suggest
from suggest.facts import FactDoc, FactIndex, figures
from suggest.gazetteer import Entry, Gazetteer
from suggest.lexicon import kind_of
from suggest.text import quotes, sentences

REGISTRY = Gazetteer.of(
    [
        Entry("KCNA", "state_media", 1, aliases=("Korean Central News Agency",)),
        Entry("Ministry of Unification", "foreign_government", 2, aliases=("unification ministry", "통일부")),
        Entry("Hoeryong resident", "in_country_informant", 3, sensitive=True, aliases=("a resident of Hoeryong",)),
        Entry("Asan Institute for Policy Studies", "think_tank", 4),
    ]
)


def one(text, gazetteer=None):
    found = suggest(text, gazetteer)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "content", "source"),
    [
        ("The unification ministry said on Tuesday that the vote was staged.", "the vote was staged", "unification"),
        ("The vote was staged by the authorities, the unification ministry said.", "The vote was staged", "unif"),
        ("The vote was staged by the authorities, said Lee Min-ho, a professor.", "The vote was staged", "Lee"),
        ("According to the KCNA, turnout was 99.63 percent in the local elections.", "turnout was 99.63", "KCNA"),
        ("Turnout was 99.63 percent in the elections, according to the KCNA.", "Turnout was 99.63", "KCNA"),
        ("A ministry official told reporters that the boxes were watched closely.", "the boxes were watched", "min"),
        ("Kim Tae-hyun warned that the elections were only a formality this year.", "the elections were only", "Kim"),
    ],
)
def test_english_cues_give_the_claim_with_its_attribution_and_the_source(text, content, source):
    # Reported speech is proposed with the clause that attributes it, as readers tag it: the whole sentence.
    found = one(text)
    assert content in found.exact and found.exact == text.rstrip(".")
    assert source.lower() in found.source.lower()
    assert found.exact == text[found.start : found.end]
    assert "cue" in found.reason


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("The pier will open in May, officials said on Tuesday, after delays caused by flooding.",
         "The pier will open in May, officials said on Tuesday"),
        ("The pier will open in May, officials told reporters, after delays caused by flooding.",
         "The pier will open in May, officials told reporters"),
        ("The pier will open in May, officials told reporters, adding that the ferry would return.",
         "The pier will open in May, officials told reporters, adding that the ferry would return"),
        ("Officials told reporters, in a briefing on the harbour, that the pier would open in May.",
         "Officials told reporters, in a briefing on the harbour, that the pier would open in May"),
    ],
)  # fmt: skip
def test_content_before_a_cue_that_ends_in_a_comma_of_its_own(text, exact):
    # What follows the cue's own words after a comma is the outlet's addition, unless the speaker goes on.
    found = one(text)
    assert (found.exact, found.kind) == (exact, "foreign_government")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("A survey by the institute found that 62 percent of residents oppose the new highway.", "think_tank"),
        ("Some experts think that the harbour will stay closed to the fishing boats all winter.", "unsourced_quote"),
        ("Officials think the fire on the pier was started by someone who came in by boat.", "foreign_government"),
    ],
)
def test_findings_and_beliefs_are_attributed(text, kind):
    found = one(text)
    assert (found.exact, found.kind) == (text.rstrip("."), kind)


def own_voice_only(found) -> bool:
    """Whether nothing found credits anyone: at most the outlet's own statements, which name no source."""
    return all(s.reason == OWN_VOICE and (s.kind, s.source) == ("outlet_reporting", None) for s in found)


def test_found_without_that_and_a_think_tank_are_no_cues():
    found = suggest("Police found the car abandoned near the harbour early on Sunday morning.")
    assert own_voice_only(found) and len(found) == 1  # the outlet's own statement: "Sunday" may be checked
    assert suggest("The think tank held its annual meeting in the old harbour hall last week.") == []


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("The United States said on Monday that the sanctions on the port would stay in place.",
         "foreign_government", "United States"),
        ("Media reports say two fishing boats sank near the border during the storm on Sunday.",
         "news_agency", "Media reports"),
        ("The ministry denied reports that two soldiers were injured near the border on Sunday.",
         "foreign_government", "ministry"),
    ],
)  # fmt: skip
def test_a_reporting_word_used_as_a_noun_or_in_a_name_is_no_cue(text, kind, source):
    found = one(text)
    assert (found.exact, found.kind, found.source) == (text.rstrip("."), kind, source)


@pytest.mark.parametrize(
    "text",
    [
        "The KCNA did not say how many people had voted in the local elections.",
        "The harbour ministry has not publicly confirmed that the ferry was sold abroad.",
        "The harbour ministry didn’t say whether the ferry would return before the winter.",
        "The harbour ministry never said that the ferry had been sold to a buyer abroad.",
    ],
)
def test_a_negated_cue_credits_the_source_with_nothing(text):
    assert own_voice_only(suggest(text, REGISTRY))


def test_reports_after_a_verb_or_amid_are_what_is_spoken_of():
    assert suggest("The ministry has yet to confirm reports that two soldiers were injured near the border.") == []
    assert suggest("Amid reports that the port would close, fishermen moved their boats south for the winter.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The ferry sank near the lighthouse in the storm, the coast guard said in a statement on Friday.",
        "The harbour will stay closed until March, the KCNA said in a dispatch carried by the state radio.",
    ],
)
def test_content_before_a_cue_followed_only_by_its_setting(text):
    # Where and how it was said is part of the attribution, not a content of its own.
    found = one(text, REGISTRY)
    assert found.exact == text.rstrip(".")
    # A clause after the setting is the content still: the lead before the speaker stays out, as ever.
    found = one("In a statement on Friday, the coast guard said in detail how the ferry sank.")
    assert found.exact == "the coast guard said in detail how the ferry sank"


def test_a_sentence_without_a_cue_is_not_proposed():
    assert suggest("The voters queued in the cold outside the polling station for hours.") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("There are rumors that the harbour will close to fishing boats before the winter.", "unsourced_quote"),
        ("There are many who point out that the bridge was built without any permit.", "unsourced_quote"),
        # An impersonal judgement credits no one but the writer: the outlet's own analysis.
        ("The new tariff is widely seen as a concession to the farmers of the southern provinces.",
         "outlet_reporting"),
        ("It is interpreted as a signal that the talks on the canal may resume next spring.", "outlet_reporting"),
        ("There appears to be a shortage of diesel in the northern towns this winter.", "outlet_reporting"),
        ("The new levy may be intended to show that the council listens to the shopkeepers.", "outlet_reporting"),
        ("Such levies are widely considered a show of goodwill rather than a real reform.", "outlet_reporting"),
        ("The move is seen as an attempt to present the levy as fair to the shopkeepers.", "outlet_reporting"),
        ("It is widely believed that the levy was decided before the council even met.", "unsourced_quote"),
    ],
)  # fmt: skip
def test_hedges_crediting_unnamed_others_are_unsourced_and_impersonal_judgements_the_outlets(text, kind):
    found = one(text)
    assert (found.kind, found.source) == (kind, None)


def test_it_was_reported_names_no_speaker():
    # Not the last speaker's: an impersonal passive reports what unnamed others said, from its own clause on.
    text = (
        "The ministry said on Monday that the fees would rise for all the boats in the port. "
        "The new rules were posted at the gate, and it was reported that the fees would double."
    )
    ministry, reported = suggest(text)
    assert ministry.exact == text[: text.index(". ")] and ministry.kind == "foreign_government"
    assert (reported.exact, reported.kind, reported.source) == (
        "it was reported that the fees would double", "unsourced_quote", None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "It was reported that the mayor had resigned over the dispute about the harbour fees.",
        "It has also been learned that the two ferries were sold to a buyer abroad last spring.",
        "It is understood that the talks on the canal will resume after the autumn holidays.",
        "The old ferry reportedly sank near the lighthouse during the storm on Sunday night.",
        "The harbour master allegedly took money from the owners of the fishing boats.",
        "공장은 지난달부터 전력난으로 가동을 멈춘 것으로 알려졌다.",
        "항구의 수수료가 내년부터 두 배로 오른다고 전해졌다.",
    ],
)
def test_impersonal_passives_and_report_adverbs_credit_unnamed_others(text):
    found = one(text)
    assert (found.kind, found.source) == ("unsourced_quote", None)
    assert found.exact == text.rstrip(".")


def test_an_impersonal_passive_with_an_agent_or_a_verb_after_the_adverb_is_the_speakers():
    found = one("It was reported by the KCNA on Monday that turnout reached 99.6 percent in the vote.", REGISTRY)
    assert (found.source, found.kind) == ("KCNA", "state_media") and found.exact.startswith("It was reported by")
    found = one("The unification ministry reportedly said that the border bridge would stay closed.", REGISTRY)
    assert (found.source, found.kind) == ("Ministry of Unification", "foreign_government")


def test_an_impersonal_passive_with_no_clause_of_its_own_is_not_proposed():
    assert suggest("It is known that it was emphasized.") == []
    assert suggest("It was reported on Monday.") == []
    found = one("It is widely seen as a concession to the farmers of the southern provinces and their unions.")
    assert found.kind == "outlet_reporting"


def test_a_named_source_beats_a_hedge_in_the_same_sentence():
    found = one("The closure appears to be a response to the floods in the valley, the ministry said.")
    assert (found.kind, found.exact) == (
        "foreign_government",
        "The closure appears to be a response to the floods in the valley, the ministry said",
    )


def test_a_photo_caption_is_not_a_claim():
    assert suggest("A photo of the mayor cutting the ribbon as reported by the Daily Courier.") == []
    assert suggest("The file picture shows the minister voting, as released by the state broadcaster.") == []


def test_as_reported_by_leaves_the_as_to_the_cue():
    found = one("The harbour fees rose by a third last spring, as reported by the Daily Courier.")
    assert found.exact == "The harbour fees rose by a third last spring, as reported by the Daily Courier"
    assert found.source == "Daily Courier"


def test_a_long_attribution_is_proposed_with_its_short_content():
    text = (
        "A report in the Daily Courier, the weekly of the farmers' union, quoted a notice from the fisheries "
        "ministry that said that the fees rose."
    )
    assert one(text).exact == text.rstrip(".")


def test_a_lead_before_the_source_stays_out_of_the_claim():
    found = one("In regard to the fall in catches, the ministry said the fleet may have overfished the bay.")
    assert found.exact == "the ministry said the fleet may have overfished the bay"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("The ministry stated through a circular that every shop must close at nine on weekdays.",
         "every shop must close at nine on weekdays"),
        ("The ministry said in a notice to its members that the fees would double in the autumn.",
         "the fees would double in the autumn"),
    ],
)  # fmt: skip
def test_content_starts_after_that_when_a_phrase_stands_between_the_cue_and_it(text, content):
    found = one(text)
    assert found.exact.endswith(content) and found.exact == text.rstrip(".")


def test_a_quotation_after_the_cue_in_the_same_paragraph_goes_on_with_the_account():
    text = (
        "A resident of the port town told the paper, “The boats have not gone out for three weeks now,” he "
        "said. “Nobody knows when the fuel will come back to the harbour.”\n\n"
        "The weather was mild that week."
    )
    found = suggest(text)
    assert [s.exact for s in found] == [
        "The boats have not gone out for three weeks now",
        "Nobody knows when the fuel will come back to the harbour",
    ]
    assert found[1].kind == found[0].kind and "account it continues" in found[1].reason


@pytest.mark.parametrize(
    ("text", "content", "source"),
    [
        ("통일부에 따르면 북한의 투표율은 99.63%로 집계됐다.", "북한의 투표율은", "통일부"),
        ("통일부는 이번 선거에서 반대표가 처음 공개됐다고 밝혔다.", "이번 선거에서", "통일부"),
    ],
)
def test_korean_cues(text, content, source):
    found = one(text, REGISTRY)
    assert content in found.exact and found.exact == text.rstrip(".")
    assert (found.source, found.kind) == ("Ministry of Unification", "foreign_government")
    assert found.exact.startswith(source)


@pytest.mark.parametrize(
    "text",
    [
        "“Nobody dared to vote against the candidate,” a resident of Hoeryong said.",
        '"Nobody dared to vote against the candidate," a resident of Hoeryong said.',
        "A resident of Hoeryong said: “Nobody dared to vote against the candidate.”",
    ],
)
def test_quotations_straight_and_curly_are_credited_to_their_speaker(text):
    found = one(text, REGISTRY)
    assert found.exact == "Nobody dared to vote against the candidate"
    assert (found.kind, found.source) == ("in_country_informant", "Hoeryong resident")


def test_nested_quotes_stay_inside_the_quotation():
    text = "“They called the box ‘the traitor box’ and nobody went near it,” the resident said."
    assert [(q.start, q.end) for q in quotes(text)] == [(1, text.index("”"))]
    found = one(text)
    assert "‘the traitor box’" in found.exact and found.kind == "in_country_informant"


def test_a_quotation_over_paragraphs_continues_one_account():
    text = (
        "“The meeting lasted three hours and the cadres repeated the rules,” a resident of Hoeryong said.\n\n"
        "“Everyone was told the new boxes made no difference to anyone.\n\n"
        "“So everyone put the ballot in the approval box as usual.”\n"
    )
    found = suggest(text, REGISTRY)
    assert [s.source for s in found] == ["Hoeryong resident"] * 3  # a claim a sentence, all the resident's
    assert found[1].exact == "Everyone was told the new boxes made no difference to anyone"
    assert found[2].exact == "So everyone put the ballot in the approval box as usual"
    [continued] = [q for q in quotes(text) if q.close is not None and text.count("\n", q.open, q.close) > 0]
    assert text[continued.close] == "”"


def test_a_quotation_of_several_sentences_is_proposed_a_sentence_at_a_time():
    # Each sentence says something a fact-checker checks apart: one claim each, both the speaker's.
    text = "“The boxes were green and white. Nobody went near the white one,” a resident of Hoeryong said."
    found = suggest(text, REGISTRY)
    assert [s.exact for s in found] == ["The boxes were green and white", "Nobody went near the white one"]
    assert {s.source for s in found} == {"Hoeryong resident"}


def test_short_quotes_are_not_claims():
    assert suggest(
        "Some voters cast “no” votes in the election this year, officials reported nothing more."
    ) == [] or all(s.exact != "no" for s in suggest("Some voters cast “no” votes, officials said."))


@pytest.mark.parametrize(
    ("mention", "kind"),
    [
        ("Seoul's unification ministry", "foreign_government"),
        ("the Korea Institute for National Unification, a state-run think tank", "think_tank"),
        ("a source in North Hamgyong Province", "in_country_informant"),
        ("a resident of Hyesan", "in_country_informant"),
        ("the KCNA", "state_media"),
        ("Rodong Sinmun", "state_media"),
        ("North Korea", "state_media"),
        ("Yonhap", "news_agency"),
        ("a defector who fled in 2019", "defector_testimony"),
        ("analysts", "unsourced_quote"),
        ("Professor Lee Min-ho", "expert"),
        ("통일부", "foreign_government"),
        ("현지 소식통", "in_country_informant"),
        ("조선중앙통신", "state_media"),
    ],
)
def test_source_patterns_give_the_kind(mention, kind):
    assert kind_of(mention) == kind


def test_the_registry_kind_wins_and_aliases_and_near_spellings_match():
    assert REGISTRY.find("the official Korean Central News Agency (KCNA)")[0].name == "KCNA"
    assert REGISTRY.find("the Asan Institute for Policy Study")[0].name == "Asan Institute for Policy Studies"
    assert REGISTRY.find("통일부는")[0].name == "Ministry of Unification"
    assert REGISTRY.find("the weather service") is None
    # Wording alone would make an institute a think tank; the registry says otherwise.
    custom = Gazetteer.of([Entry("Sejong Institute", "expert", 9)])
    assert one("The Sejong Institute said that the turnout figure was implausible.", custom).kind == "expert"


def test_the_registry_grows_suggestions_improve():
    text = "The newsletter said that the boxes were placed in full view of the guards."
    assert suggest(text) == []  # wording tells nothing: no kind, no suggestion
    grown = Gazetteer.of([Entry("newsletter", "news_agency", 5)])
    assert one(text, grown).kind == "news_agency"


def test_tagged_spans_and_dismissed_texts_are_not_proposed_again():
    text = "The unification ministry said that the vote was staged. The KCNA said that turnout was 99.63 percent."
    both = suggest(text)
    assert len(both) == 2
    first = both[0]
    assert [s.exact for s in suggest(text, tagged=[(first.start, first.end)])] == [both[1].exact]
    assert [s.exact for s in suggest(text, dismissed=[both[1].exact])] == [first.exact]


def test_sentences_keep_offsets_and_paragraphs():
    text = "First one here. Second one, Mr. Kim said.\n\n통일부는 밝혔다. 그는 말했다."
    found = sentences(text)
    assert [text[s.start : s.end] for s in found] == [
        "First one here.",
        "Second one, Mr. Kim said.",
        "통일부는 밝혔다.",
        "그는 말했다.",
    ]
    assert [s.paragraph for s in found] == [0, 0, 1, 1]


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("The launch failed shortly after take-off, a military official told Reuters on Tuesday.",
         "The launch failed shortly after take-off, a military official told Reuters on Tuesday"),
        ("The launch failed, an official told The Associated Press on condition of anonymity, the third this year.",
         "The launch failed, an official told The Associated Press on condition of anonymity"),
        ("The vote was rigged, a resident of Hyesan told the Daily Record by phone.",
         "The vote was rigged, a resident of Hyesan told the Daily Record by phone"),
    ],
)  # fmt: skip
def test_whom_a_speaker_told_is_not_what_was_said(text, exact):
    found = one(text)
    assert found.exact == exact and found.source != "Reuters"


def test_a_figure_after_a_cue_that_credits_no_one_continues_the_account():
    text = (
        "The catch fell by a third this year, according to the fisheries ministry. In the 1990s, there were "
        "reports of catches twice as large in the same bay.\n\nIn 2001, the bay was closed for a year."
    )
    first, second, third = suggest(text)
    assert second.exact.startswith("In the 1990s, there were reports") and second.source == first.source
    assert "account it continues" not in second.reason and second.kind == "foreign_government"
    # Not across a paragraph: there the outlet speaks for itself again.
    assert (third.exact, third.kind, third.reason) == (
        "In 2001, the bay was closed for a year",
        "outlet_reporting",
        OWN_VOICE,
    )


def test_facts_ranked_by_shared_figures_then_words():
    assert figures("27,858 deputies; turnout 99.63% since 1956, 3 boxes") == {"27858", "99.63", "1956"}
    index = FactIndex(
        [
            FactDoc("turnout-99-63", "Turnout was 99.63%.", ("The voter turnout was recorded at 99.63 percent",), 4),
            FactDoc("deputies-27858", "27,858 deputies were elected.", (), 3),
            FactDoc("staged", "The election was staged for show.", ("widely seen as staged",), 2),
        ]
    )
    assert index.rank("turnout reached 99.63 percent")[0].slug == "turnout-99-63"
    assert index.rank("A total of 27858 deputies won seats")[0].slug == "deputies-27858"
    assert index.rank("the polls were staged for show abroad")[0].slug == "staged"
    assert index.rank("the weather was cold") == []


def test_a_fact_whose_claims_are_of_the_claims_kind_ranks_higher():
    # Two facts the text shares as much with: the informants' fact first for an informant's claim, the
    # ministry's for the ministry's, and by name alone when the kind is not known.
    index = FactIndex(
        [
            FactDoc("boxes-watched", "Guards watched the ballot boxes.", ("guards watched the boxes all day",), 2,
                    ("in_country_informant", "in_country_informant")),
            FactDoc("boxes-visible", "The ballot boxes stood in plain view.", ("the boxes stood in view",), 2,
                    ("foreign_government", "foreign_government")),
        ]
    )  # fmt: skip
    text = "The ballot boxes were placed by the door"
    assert [c.slug for c in index.rank(text, kind="in_country_informant")][0] == "boxes-watched"
    assert [c.slug for c in index.rank(text, kind="foreign_government")][0] == "boxes-visible"
    assert index.rank(text, kind="expert") == index.rank(text)  # a kind no claim of either has: no difference


def test_a_fact_is_linked_on_one_key_only_on_firm_evidence():
    index = FactIndex(
        [
            FactDoc("turnout-99-63", "Turnout was 99.63%.", ("The voter turnout was recorded at 99.63 percent",), 4),
            FactDoc("deputies-27858", "27,858 deputies were elected to local people's assemblies.", (), 3),
            FactDoc("ploy", "The change is a ploy for legitimacy.", ("a “ploy for legitimacy”, analysts say",), 2),
        ]
    )

    def best(text):
        found = index.rank(text)
        return found[0].slug, found[0].firm

    assert best("turnout reached 99.63 percent") == ("turnout-99-63", True)  # a precise figure
    assert best("They called it a “ploy for legitimacy” again") == ("ploy", True)  # a quoted phrase
    assert best("The change was a ploy, a bid for legitimacy") == ("ploy", True)  # says most of the statement
    # Two words in common with the deputies' fact, nothing it measures: offered, not linked.
    assert best("There were votes against some deputies in local races") == ("deputies-27858", False)


@pytest.mark.parametrize(
    ("text", "exact", "kind"),
    [
        ("혜산의 한 주민은 “이번 선거에서 반대표를 던진 사람은 아무도 없었다”라고 말했다.",
         "이번 선거에서 반대표를 던진 사람은 아무도 없었다", "in_country_informant"),
        ("조선중앙통신은 투표율이 99.63%라고 보도했다.", "조선중앙통신은 투표율이 99.63%라고 보도했다", "state_media"),
    ],
)  # fmt: skip
def test_korean_quotations_and_reported_speech(text, exact, kind):
    found = one(text)
    assert (found.exact, found.kind) == (exact, kind)


def test_threads_segmenting_at_once_each_get_their_own_texts_sentences():
    """A threaded server segments several articles at once: none may get sentences cut from another's text."""
    texts = [
        "The voter turnout was 99.63 percent. Officials in Pyongyang said so. Nobody voted against, one said. " * 3,
        "Analysts doubt it. The ministry said the figure was invented! Was it? Reuters could not confirm it. " * 3,
    ]
    expected, wrong = {text: sentences(text) for text in texts}, []

    def segment(text):
        wrong.extend(text for _ in range(300) if sentences(text) != expected[text])

    threads = [threading.Thread(target=segment, args=(texts[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong, f"{len(wrong)} segmentations went wrong"


def test_a_korean_quotation_of_two_sentences_is_two_claims_of_its_speaker():
    found = suggest("“반대한 사람은 없었다. 모두 찬성했다”고 현지 소식통은 전했다.")
    assert [(s.exact, s.kind) for s in found] == [
        ("반대한 사람은 없었다", "in_country_informant"),
        ("모두 찬성했다", "in_country_informant"),
    ]


PIECES = ["“", "”", '"', "‘", "’", "\n", "\n\n", ". ", ", ", " said ", " according to ", "에 따르면 ", "라고 말했다. ",
          "KCNA", "the ministry", "a resident of Hyesan", "🗳️", "북한", " that ", ":", "(", ")", "99.63%",
          "―― ", "Q: ", "A: ", "? ", ", but ", " is accused of ", " heard that ", "We asked a resident about it. ",
          "Published in Rodong Sinmun. ", "Gen. ", " told Reuters on Tuesday"]  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40))
def test_any_text_gives_valid_spans_in_order(parts):
    text = "".join(parts)
    found = suggest(text, REGISTRY)
    for s in found:
        assert 0 <= s.start < s.end <= len(text) and s.exact == text[s.start : s.end]
        assert 0 < s.score < 1 and s.kind
        assert s.exact == s.exact.strip() and "\n\n" not in s.exact  # trimmed, and within one paragraph
    assert [s.start for s in found] == sorted(s.start for s in found)
    assert len({s.key for s in found}) == len(found)  # a key names one suggestion


def test_quotation_first_then_a_long_speaker_description():
    text = '"The regime wants to look normal to the world," said Kim Tae-ho, a professor at Seoul National University.'
    found = one(text)
    assert (found.exact, found.kind) == ("The regime wants to look normal to the world", "expert")
    assert found.source.startswith("Kim Tae-ho")


def test_an_institution_named_between_the_quotation_and_the_cue_then_referred_to_again():
    text = (
        "“The portrayal aims at legitimacy abroad,” think tank, the Pacific Foundation, said in a report.\n\n"
        "“Discreet voting will remain limited under watch,” the report said."
    )
    first, second = suggest(text)
    assert (first.kind, first.source) == ("think_tank", "Pacific Foundation")
    assert (second.kind, second.source, second.exact) == (
        "think_tank", "Pacific Foundation", "Discreet voting will remain limited under watch",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("mention", "kind"),
    [
        ("The mayor, speaking at a news conference on Friday", "foreign_government"),
        ("officials at a press briefing", "foreign_government"),
        ("a resident, speaking in a radio interview", "in_country_informant"),
        ("President Lee Jae-sung", "foreign_government"),
        ("the coast guard", "foreign_government"),
        ("the national statistics office", "foreign_government"),
        ("국방부 장관은 기자회견에서", "foreign_government"),
        ("the Daily Courier", "news_agency"),
        ("Lee Jae-sung, president of the Harbour University", "expert"),
    ],
)
def test_the_occasion_of_speaking_says_nothing_of_the_speaker_and_office_holders_speak_for_a_state(mention, kind):
    assert kind_of(mention) == kind


def test_a_title_makes_an_expert_even_at_an_institute():
    assert kind_of("Lee Min-ho, a researcher at the Asan Institute") == "expert"
    assert kind_of("the Asan Institute") == "think_tank"


@pytest.mark.parametrize(
    ("text", "exact", "via"),
    [
        ("Yonhap reported, citing the KCNA, that turnout was 99.63 percent in the vote.",
         "Yonhap reported, citing the KCNA, that turnout was 99.63 percent in the vote", ("Yonhap",)),
        ("Turnout was 99.63 percent in the vote, Yonhap reported, citing the KCNA.",
         "Turnout was 99.63 percent in the vote, Yonhap reported, citing the KCNA", ("Yonhap",)),
        ("The Minju Chosun quoted the KCNA as saying that turnout was 99.63 percent.",
         "The Minju Chosun quoted the KCNA as saying that turnout was 99.63 percent", ("Minju Chosun",)),
    ],
)  # fmt: skip
def test_relays_are_proposed_as_the_via_chain(text, exact, via):
    found = one(text, REGISTRY)
    assert (found.exact, found.source, found.kind, found.via) == (exact, "KCNA", "state_media", via)


def test_a_figure_that_continues_a_relayed_account_keeps_its_relay():
    text = (
        "The Minju Chosun quoted the KCNA as saying that turnout was 99.63 percent. "
        "In the cities, 0.13 percent of voters cast their ballots against the candidates."
    )
    first, second = suggest(text, REGISTRY)
    assert (first.source, first.via) == ("KCNA", ("Minju Chosun",))
    assert (second.source, second.via) == ("KCNA", ("Minju Chosun",))


def test_according_to_after_a_verb_names_the_relay():
    found = one("The unification ministry said, according to Yonhap, that the vote was staged by the party.", REGISTRY)
    assert (found.source, found.via) == ("Ministry of Unification", ("Yonhap",))


def test_a_hedge_inside_a_quotation_is_credited_to_unnamed_others_relayed_by_the_speaker():
    text = (
        "“There are rumors that the mine will close before the spring. Nobody here believes the managers "
        "any more, and Mr. Park keeps quiet,” a resident of Hoeryong said."
    )
    hedge, rest = suggest(text, REGISTRY)
    assert (hedge.exact, hedge.kind, hedge.source) == (
        "There are rumors that the mine will close before the spring", "unsourced_quote", None,
    )  # fmt: skip
    assert hedge.via == ("Hoeryong resident",) and "rumors" in hedge.reason
    assert rest.exact == "Nobody here believes the managers any more, and Mr. Park keeps quiet"
    assert (rest.kind, rest.source) == ("in_country_informant", "Hoeryong resident")


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("The ministry denied that any talks had taken place with the North this year.",
         "foreign_government", "ministry"),
        ("The ministry's data shows that exports to the north fell by a third last year.",
         "foreign_government", "ministry's data"),
        ("Lee Min-ho, a professor, concluded that the vote was a display for the outside world.", "expert",
         "Lee Min-ho, a professor"),
        ("Diplomatic sources in Seoul indicated that the talks had stalled over the winter.",
         "foreign_government", "Diplomatic sources in Seoul"),
        ("A source familiar with the matter replied that the shipment had left the port already.",
         "unsourced_quote", "source familiar with the matter"),
        ("The Daily Courier published figures that showed fuel prices doubling over the winter.",
         "news_agency", "Daily Courier"),
    ],
)  # fmt: skip
def test_more_reporting_verbs_and_source_shapes(text, kind, source):
    found = one(text)
    assert (found.kind, found.source) == (kind, source)


def test_a_passive_cue_speaks_of_its_subject_and_a_later_cue_names_the_speaker():
    found = one("The governor is accused of hoarding the fuel meant for the port, the ministry said.")
    assert (found.kind, found.source) == ("foreign_government", "ministry")
    # No one named makes the accusation: a claim that rests on unnamed others.
    (found,) = suggest("The governor was accused of hoarding the fuel meant for the port and the mines.")
    assert (found.kind, found.source, found.cue) == ("unsourced_quote", None, "accused of")
    assert suggest("A video released by the state broadcaster showed the governor opening the new port.") == []


@pytest.mark.parametrize(
    ("text", "source", "via"),
    [
        ("A ministry official was quoted as saying that the talks would resume in the spring.",
         "ministry official", ()),
        ("A ministry official was quoted by Yonhap as saying that the talks would resume in the spring.",
         "ministry official", ("Yonhap",)),
        ("Turnout was 99.63 percent in the vote, according to Yonhap, which cited the KCNA.", "KCNA", ("Yonhap",)),
        ("According to Yonhap, citing the KCNA, turnout was 99.63 percent in the vote.", "KCNA", ("Yonhap",)),
    ],
)  # fmt: skip
def test_passive_quotes_and_relays_after_according_to(text, source, via):
    gazetteer = Gazetteer.of([*REGISTRY.entries, Entry("Yonhap", "news_agency", 5)])
    found = one(text, gazetteer)
    assert found.source.endswith(source) and found.via == via and found.exact == text.rstrip(".")


@pytest.mark.parametrize(
    ("mention", "kind"),
    [
        ("the Daily Courier", "news_agency"),
        ("Radio Free Asia", "news_agency"),
        ("a North Korean official", "state_media"),
        ("the ruling Workers' Party", "state_media"),
        ("a diplomat in Seoul", "foreign_government"),
        ("the South Korean government", "foreign_government"),
        ("lawmakers", "foreign_government"),
        ("sources familiar with the matter", "unsourced_quote"),
        ("witnesses", "unsourced_quote"),
        ("조선일보", "news_agency"),
        ("정부 관계자", "foreign_government"),
        ("the weather service", None),
    ],
)
def test_outlets_officials_and_anonymous_sources_by_their_wording(mention, kind):
    assert kind_of(mention) == kind


@pytest.mark.parametrize(
    ("text", "exact", "kind", "source"),
    [
        ("통일부는 북한이 선거 결과를 조작했을 가능성이 있다고 했다.",
         "통일부는 북한이 선거 결과를 조작했을 가능성이 있다고 했다", "foreign_government", "통일부"),
        ("현지 소식통은 선거 전에 주민 회의가 여러 차례 열렸다고 전했다.",
         "현지 소식통은 선거 전에 주민 회의가 여러 차례 열렸다고 전했다", "in_country_informant", "현지 소식통"),
        ("이번 반대표 공개는 대외적으로 민주적 선거를 과시하려는 것으로 보인다.",
         "이번 반대표 공개는 대외적으로 민주적 선거를 과시하려는 것으로 보인다", "outlet_reporting", None),
        ("일각에서는 반대표 수치가 미리 정해져 있었다는 주장도 나온다.",
         "일각에서는 반대표 수치가 미리 정해져 있었다는 주장도 나온다", "unsourced_quote", None),
        ("한 전문가는 “반대표는 연출된 것”이라며 선거의 의미를 낮게 평가했다.",
         "반대표는 연출된 것", "unsourced_quote", "전문가"),
    ],
)  # fmt: skip
def test_more_korean_cues_hedges_and_names_without_their_particle(text, exact, kind, source):
    found = one(text)
    assert (found.exact, found.kind) == (exact, kind)
    assert found.source == source or source in (found.source or "")


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        # The speaker after the quotative ending: the sentence's topic is the content's, not the speaker.
        ("항구는 내년 봄부터 다시 문을 연다고 한 주민이 말했다.", "in_country_informant", "한 주민"),
        ("시장은 지난달부터 문을 닫았다고 현지 소식통은 전했다.", "in_country_informant", "현지 소식통"),
        # A date between the speaker and the verb, and a content whose subject ends like a topic (김정은).
        ("김정은 위원장이 새 항구를 둘러봤다고 조선중앙통신이 28일 보도했다.", "state_media", "조선중앙통신"),
        ("합동참모본부는 북한이 이날 오전 단거리 미사일 2발을 쐈다고 밝혔다.", "foreign_government", "합동참모본부"),
        # North Korea named with its particle speaks through its state media.
        ("북한은 이번 선거의 투표율이 99.5%라고 주장했다.", "state_media", "북한"),
        ("북한이 지난 주말 새 항구를 열었다고 밝혔다.", "state_media", "북한"),
        ("전문가들은 항구 공사가 내년까지 이어질 것으로 내다봤다.", "unsourced_quote", "전문가들"),
        ("북한이탈주민 박모 씨는 배급이 몇 년째 끊겼다고 증언했다.", "defector_testimony", "북한이탈주민 박모 씨"),
    ],
)  # fmt: skip
def test_korean_speaker_after_the_quotative_and_names_with_their_particle(text, kind, source):
    found = one(text)
    assert (found.exact, found.kind, found.source) == (text.rstrip("."), kind, source)


def test_korean_citing_names_the_origin_and_the_relay():
    gazetteer = Gazetteer.of([*REGISTRY.entries, Entry("Yonhap", "news_agency", 5, aliases=("연합뉴스",))])
    found = one("연합뉴스는 조선중앙통신을 인용해 투표율이 99.63%였다고 보도했다.", gazetteer)
    assert (found.source, found.kind, found.via) == ("조선중앙통신", "state_media", ("Yonhap",))


def test_a_name_with_its_apposition_before_the_cue_is_the_speaker_not_the_content():
    found = one("Kim Tae-ho, an analyst at the Sejong Institute, said the vote was meant for foreign eyes.")
    assert (found.kind, found.source) == ("expert", "Kim Tae-ho, an analyst at the Sejong Institute")
    assert found.exact.endswith("the vote was meant for foreign eyes")


def test_plural_speakers_take_the_base_form_and_an_infinitive_is_no_report():
    found = one("Some experts warn that the vote could be a prelude to a new constitution next year.")
    assert (found.kind, found.source) == ("unsourced_quote", "Some experts")
    assert suggest("The residents were gathered to confirm their names and ages before the vote began.") == []


def test_a_relay_citing_its_origin_before_the_verb():
    gazetteer = Gazetteer.of([*REGISTRY.entries, Entry("Yonhap", "news_agency", 5)])
    found = one("Yonhap, citing the KCNA, said turnout was 99.63 percent in the vote.", gazetteer)
    assert (found.source, found.via) == ("KCNA", ("Yonhap",))
    assert found.exact == "Yonhap, citing the KCNA, said turnout was 99.63 percent in the vote"


def test_a_wire_dateline_and_the_outlets_addition_stay_out_of_the_claim():
    text = (
        "PORTVILLE, March 3 (Wirenews) - The harbour closed to fishing boats on Sunday, the fisheries ministry "
        "said, the third closure this year."
    )
    found = one(text)
    assert found.exact == "The harbour closed to fishing boats on Sunday, the fisheries ministry said"


def test_a_document_is_its_authors_and_a_conjunction_is_not_part_of_the_name():
    found = one("A report by the Asan Institute estimated that the catch fell by a fifth last year.")
    assert (found.source, found.kind) == ("Asan Institute", "think_tank")
    found = one("The port may reopen in May, though harbour officials have said there is no date yet.")
    assert found.source == "harbour officials"


def test_a_quoted_phrase_in_reported_speech_is_proposed_with_its_sentence():
    text = "The ministry said on Monday that the governor had opened a “new-type fishing harbour” in the bay."
    assert one(text).exact == text.rstrip(".")
    # A sentence that is mostly the speaker's quotations keeps them as the claims.
    text = "He went on, “The boats stay in port all winter.” “Nobody can buy fuel here any more,” a resident said."
    assert [s.exact for s in suggest(text)] == [
        "The boats stay in port all winter", "Nobody can buy fuel here any more",
    ]  # fmt: skip


def test_a_quotation_over_paragraphs_is_credited_where_it_closes():
    text = (
        "The harbour master said the port would stay closed until May.\n\n"
        "“The boats cannot leave, and the fishermen are angry about it.\n\n"
        "“Nobody believes the quotas can be met this year,” a resident of Hoeryong said."
    )
    found = suggest(text, REGISTRY)
    assert [s.exact for s in found[-2:]] == [
        "The boats cannot leave, and the fishermen are angry about it",
        "Nobody believes the quotas can be met this year",
    ]
    assert {(s.kind, s.source) for s in found[-2:]} == {("in_country_informant", "Hoeryong resident")}


@pytest.mark.parametrize(
    "text",
    [
        "A ministry official said the talks had stalled. This official added that a new date was not yet set.",
        "통일부 당국자는 회담이 중단됐다고 말했다. 이 당국자는 새 일정은 아직 정해지지 않았다고 덧붙였다.",
    ],
)
def test_a_speaker_named_again_with_a_demonstrative_is_the_one_before(text):
    first, second = suggest(text)
    assert second.source == first.source and second.kind == "foreign_government"


@pytest.mark.parametrize(
    "mention",
    ["the UN's Food and Agriculture Organization", "Human Rights Watch", "the World Food Programme", "유엔"],
)
def test_international_bodies_and_ngos_are_institutions(mention):
    assert kind_of(mention) == "think_tank"


def test_a_statement_carried_by_an_agency_and_a_setting_before_the_speaker():
    found = one("The ministry said in a statement carried by Yonhap that the port would reopen in May.")
    assert (found.source, found.via) == ("ministry", ("Yonhap",))
    found = one("In a statement, the fisheries ministry said it “strongly condemns” the closure of the port.")
    assert (found.source, found.kind) == ("fisheries ministry", "foreign_government")
    assert found.exact.startswith("the fisheries ministry said")


def test_a_long_relative_clause_after_the_speaker_and_the_official_named_anew():
    text = (
        "Lee Min-ho, a professor, said the port would reopen soon.\n\n"
        "The official, who asked not to be named because he was not authorized to speak to the media, said the "
        "talks had collapsed over the fees.\n\n"
        "“We will not wait for the boats forever,” said one resident of Hoeryong, who declined to give his name."
    )
    expert, official, resident = suggest(text)
    assert (official.kind, official.source) == ("foreign_government", "official")
    assert (resident.kind, resident.source) == ("in_country_informant", "one resident of Hoeryong")


def test_a_quotation_left_open_to_a_paragraph_ending_in_space_is_still_credited():
    text = "A resident of Hoeryong said, “The boxes were watched all day by the guards. Nobody went near them "
    found = suggest(text, REGISTRY)
    assert [s.source for s in found] == ["Hoeryong resident"] * 2
    assert [s.exact for s in found] == ["The boxes were watched all day by the guards", "Nobody went near them"]


@pytest.mark.parametrize(
    ("text", "source", "kind"),
    [
        ("Officials in Seoul, speaking on condition of anonymity, said the launch had failed.",
         "Officials in Seoul", "foreign_government"),
        ("The ministry, however, said the figures could not be verified.", "ministry", "foreign_government"),
        ("Pyongyang has repeatedly denied that it abducted foreign nationals.", "Pyongyang", "state_media"),
        ("The regime claimed that the vote was the freest in the world.", "regime", "state_media"),
    ],
)  # fmt: skip
def test_what_stands_between_the_speaker_and_the_cue_is_about_the_speaker(text, source, kind):
    found = one(text)
    assert (found.source, found.kind, found.exact) == (source, kind, text.rstrip("."))


def test_reported_speech_then_according_to_the_relay():
    found = one("The ministry said the port would “never” reopen to foreign boats, according to Yonhap.")
    assert (found.source, found.via) == ("ministry", ("Yonhap",))
    assert found.exact.endswith("according to Yonhap")


@pytest.mark.parametrize(
    ("text", "kind", "sources"),
    [
        ("27일 통일부는 북한의 발표가 사실과 다르다고 밝혔다.", "foreign_government", ["통일부"]),
        ("북한 노동신문은 28일 선거가 성공적으로 진행됐다고 보도했다. 신문은 투표율이 99.63%에 달했다고 전했다.",
         "state_media", ["북한 노동신문", "북한 노동신문"]),
        ("미국 국무부 대변인은 정례 브리핑에서 북한의 선거는 자유롭지도 공정하지도 않다고 지적했다.",
         "foreign_government", ["미국 국무부 대변인"]),
        ("북한 외무성은 미국의 제재가 불법이라고 주장했다.", "state_media", ["북한 외무성"]),
    ],
)  # fmt: skip
def test_korean_speakers_dated_shortened_and_official(text, kind, sources):
    found = suggest(text)
    assert [s.source for s in found] == sources and {s.kind for s in found} == {kind}


def test_a_korean_deputy_is_no_lawmaker():
    assert kind_of("도 인민회의 대의원") is None and kind_of("국회의원") == "foreign_government"


@pytest.mark.parametrize(
    ("mention", "kind"),
    [
        ("data compiled by the paper", "outlet_reporting"),
        ("this newspaper", "outlet_reporting"),
        ("our correspondent in Dandong", "outlet_reporting"),
        ("본지 취재진", "outlet_reporting"),
        ("the Rodong Sinmun newspaper", "state_media"),
        ("a source in Hyesan who spoke to this newspaper", "in_country_informant"),
    ],
)
def test_the_outlet_speaking_of_itself_is_its_own_reporting(mention, kind):
    assert kind_of(mention) == kind


def test_the_report_goes_back_to_an_institution_and_a_weak_it_is_no_speaker():
    text = (
        "The fisheries ministry reported that the catch fell by a third this year. Analysts believe the fall "
        "may be used to ask for foreign aid. The report also noted that the northern ports were closed."
    )
    ministry, analysts, report = suggest(text)
    assert (report.source, report.kind) == (ministry.source, "foreign_government")
    assert (
        suggest("The ministry said the ports were closed. It suggests that they may stay closed all winter.")[1:] == []
    )


@pytest.mark.parametrize(
    ("mention", "kind"),
    [
        ("Yang Moo-jin, president of the University of North Korean Studies in Seoul", "expert"),
        ("Peter Ward, a fellow at Kookmin University", "expert"),
        ("Asan Institute, a think tank", "think_tank"),
        ("North Korea, the isolated state", "state_media"),
        ("Radio Free Asia, a US-funded broadcaster", "news_agency"),
    ],
)
def test_a_named_person_with_an_affiliation_is_an_expert_not_the_institution(mention, kind):
    assert kind_of(mention) == kind


def test_a_dateline_is_not_the_speaker_and_a_quotation_before_a_passive_quote_cue():
    found = one("PORTVILLE (Wirenews) - The fisheries ministry said on Thursday the harbour would close.")
    assert (found.source, found.kind) == ("fisheries ministry", "foreign_government")
    text = "The minister visited the port. “The boats will sail again next week,” the minister was quoted as saying."
    found = suggest(text)[-1]
    assert (found.exact, found.source) == ("The boats will sail again next week", "minister")


def test_a_long_paragraph_is_segmented_in_parts_at_sentence_ends():
    text = "The ministry said the port was closed. " * 300
    found = sentences(text)
    assert [text[s.start : s.end] for s in found] == ["The ministry said the port was closed."] * 300
    endless = "the ministry said that the officials were accused and analysts warn that " * 600  # no full stop
    assert sum(s.end - s.start for s in sentences(endless)) >= len(endless) - 600
    assert all(s.exact == endless[s.start : s.end] for s in suggest(endless))


def test_two_contrasting_clauses_are_two_claims_each_dismissed_or_tagged_alone():
    text = "The boxes stood in the hall in Hyesan on election day, but nobody went near the red box for disapproval."
    first, second = suggest(text)
    assert (first.exact, second.exact) == (
        "The boxes stood in the hall in Hyesan on election day",
        "nobody went near the red box for disapproval",
    )
    assert [s.exact for s in suggest(text, dismissed=[first.exact])] == [second.exact]
    assert [s.exact for s in suggest(text, tagged=[(first.start, first.end)])] == [second.exact]
    # The second clause has a speaker of its own: not the first one's claim, so not split.
    said = "The ministry said the vote in the North was free and fair, but observers in Seoul said it was staged."
    (whole,) = suggest(said)
    assert whole.exact.endswith("it was staged")


@pytest.mark.parametrize(
    "text",
    [
        "The company said its profits in Korea fell by 12 percent in the third quarter.",  # a cue, no known kind
        "Speaking to reporters in Seoul on Tuesday, a senior official said the talks would resume.",
    ],
)
def test_a_sentence_with_a_cue_is_never_the_outlets_own_voice(text):
    assert all(s.reason != OWN_VOICE for s in suggest(text))


@pytest.mark.parametrize(
    "text",
    [
        "Prices in Hyesan doubled in March, a month after file photos of empty shelves circulated in Seoul.",
        "Prices of rice in Hyesan rose by 30 percent in March. Nobody knows why.",
    ],
)
def test_a_short_paragraph_that_mentions_a_photo_or_ends_briefly_is_no_caption(text):
    assert suggest(text)  # proposed, as its cue or the outlet's own statement


@pytest.mark.parametrize(
    "text",
    [
        "Reporting by Hyonhee Shin in Seoul; Editing by Ed Davies.",
        "Sign up for the Korea Briefing newsletter at Reuters.com today.",
        "A photo of Kim Jong Un at the polling station in Pyongyang on Sunday.",
    ],
)
def test_a_stories_credits_and_captions_are_not_the_outlets_statements(text):
    assert suggest(text) == []


def test_hearsay_eyewitness_and_accusations():
    (seen,) = suggest("“I heard gunshots from the border post all night long,” a resident of Hyesan said.")
    assert seen.kind == "in_country_informant"  # what the resident heard is their own testimony
    (heard,) = suggest("“I heard that the border post was closed for a week,” a resident of Hyesan said.")
    assert (heard.kind, heard.via) == ("unsourced_quote", ("resident of Hyesan",))
    assert all(
        s.cue != "accused of"
        for s in suggest("The mayor, who was accused of fraud in 2019, resigned on Monday in Seoul.")
    )
    assert all(
        s.cue != "accused of" for s in suggest("The governor was accused of hoarding fuel by prosecutors in Seoul.")
    )


def test_a_quotation_is_cut_at_its_sentences_not_at_abbreviations_and_its_questions_are_no_claims():
    text = (
        "“We met Gen. Kim Yong Chol at the border crossing in March. Who else would come? He said nothing at all,” "
        "a defector said."
    )
    assert [s.exact for s in suggest(text)] == [
        "We met Gen. Kim Yong Chol at the border crossing in March",
        "He said nothing at all",
    ]
