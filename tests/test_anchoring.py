"""Re-anchoring quotes in a revised text, as pure functions: moved, edited, orphaned, never guessed."""

import pytest

from corpus.anchoring import Anchor, reanchor

OLD = (
    "Pyongyang, 27 November.\n"
    "State media said turnout was 99.63% in the local elections.\n"
    "A resident of Hyesan said officials went from door to door.\n"
    "The unification ministry declined to comment on the figures."
)


def anchor(text: str, quote: str, key=1) -> Anchor:
    start = text.index(quote)
    end = start + len(quote)
    return Anchor(key, start, end, quote, text[max(0, start - 32) : start], text[end : end + 32])


def place(old: str, new: str, quote: str):
    (placement,) = reanchor(old, new, [anchor(old, quote)])
    if placement.status != "orphaned":
        assert new[placement.start : placement.end] == placement.exact
    return placement


def test_an_unchanged_text_leaves_every_quote_where_it_was():
    assert place(OLD, OLD, "turnout was 99.63%").status == "unchanged"


def test_an_insertion_before_a_quote_shifts_it():
    new = "UPDATED with the ministry's reaction.\n" + OLD
    placement = place(OLD, new, "A resident of Hyesan")
    assert placement.status == "moved"
    assert placement.start == OLD.index("A resident of Hyesan") + len("UPDATED with the ministry's reaction.\n")


def test_an_edit_inside_a_quote_moves_it_as_edited():
    new = OLD.replace("turnout was 99.63%", "turnout was 99.9%")
    placement = place(OLD, new, "State media said turnout was 99.63%")
    assert placement.status == "edited"
    assert placement.exact == "State media said turnout was 99.9%"


def test_a_deleted_paragraph_orphans_its_quotes_and_only_those():
    new = OLD.replace("A resident of Hyesan said officials went from door to door.\n", "")
    gone, kept = reanchor(
        OLD, new, [anchor(OLD, "officials went from door to door", 1), anchor(OLD, "declined to comment", 2)]
    )
    assert (gone.status, gone.reason) == ("orphaned", "deleted")
    assert kept.status == "moved" and new[kept.start : kept.end] == "declined to comment"


def test_a_duplicated_sentence_is_ambiguous_and_orphaned_not_guessed():
    sentence = "A resident of Hyesan said officials went from door to door.\n"
    new = OLD.replace(sentence, sentence + sentence)
    placement = place(OLD, new, "officials went from door to door")
    assert (placement.status, placement.reason) == ("orphaned", "ambiguous")


def test_a_repeated_quote_with_distinct_context_is_found_by_its_context():
    new = "Earlier: officials went from door to door, a reporter wrote.\n" + OLD.replace("figures", "numbers")
    placement = place(OLD, new, "officials went from door to door")
    assert placement.status == "moved" and new[: placement.start].endswith("Hyesan said ")


def test_a_quote_moved_to_another_place_with_its_context_is_found():
    lines = OLD.split("\n")
    new = "\n".join([lines[0], lines[3], lines[1], lines[2]])
    placement = place(OLD, new, "The unification ministry declined")
    assert placement.status == "moved"


@pytest.mark.parametrize(
    "prefix",
    ["🗳️🗳️ 투표 ", "👨‍👩‍👧 ", "한국어 텍스트 앞에 추가된 문장입니다. "],
)
def test_offsets_are_code_points_with_emoji_and_hangul(prefix):
    old = "북한 관영 매체는 투표율이 99.63%라고 보도했다 🗳️. 혜산의 한 주민은 간부들이 집집마다 돌았다고 전했다."
    new = prefix + old.replace("전했다", "말했다")
    placement = place(old, new, "혜산의 한 주민은")
    assert placement.status == "moved"
    assert placement.start == len(prefix) + old.index("혜산의 한 주민은")
    edited = place(old, new, "간부들이 집집마다 돌았다고 전했다")
    assert edited.status == "edited" and edited.exact == "간부들이 집집마다 돌았다고 말했다"


def test_a_rewritten_quote_is_orphaned():
    new = OLD.replace("A resident of Hyesan said officials went from door to door.", "Nothing else was reported.")
    assert place(OLD, new, "A resident of Hyesan said officials went").status == "orphaned"


def test_a_deleted_sentence_is_not_moved_to_the_same_words_in_a_sentence_that_stayed():
    old = (
        "KCNA said turnout was 99.63% in Hyesan (first report).\n"
        "Officials said turnout was 99.63% in Hyesan, according to residents.\n"
        "The ministry declined to comment."
    )
    new = old.replace("KCNA said turnout was 99.63% in Hyesan (first report).\n", "")
    start = old.index("turnout was 99.63% in Hyesan")
    quote = Anchor(1, start, start + 29, old[start : start + 29], old[:start], old[start + 29 : start + 61])
    (placement,) = reanchor(old, new, [quote])
    assert placement.status == "orphaned"


def test_a_deleted_sentence_is_not_fuzzy_matched_to_a_similar_one_that_stayed():
    old = "A. KCNA said turnout was 99.63% in Hyesan.\nB. KCNA said turnout was 99.68% in Hyesan.\nC. End."
    new = old.replace("A. KCNA said turnout was 99.63% in Hyesan.\n", "")
    (placement,) = reanchor(old, new, [anchor(old, "KCNA said turnout was 99.63% in Hyesan")])
    assert placement.status == "orphaned"


def test_a_diff_cut_short_by_its_time_limit_makes_the_rules_stricter_not_looser(monkeypatch):
    import corpus.anchoring

    new = "Earlier: officials went from door to door, a reporter wrote.\n" + OLD.replace("figures", "numbers")
    assert place(OLD, new, "officials went from door to door").status == "moved"  # its context is intact
    moved = "Officials in Hyesan went from door to door.\n" + OLD.replace("went from door to door", "visited homes")
    monkeypatch.setattr(corpus.anchoring, "DIFF_TIMEOUT", 0)  # every diff counts as cut short
    assert place(OLD, new, "officials went from door to door").status == "moved"  # both sides intact still do
    assert place(OLD, moved, "went from door to door").status == "orphaned"  # no context: no guess
