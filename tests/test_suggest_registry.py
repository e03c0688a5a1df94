"""What the registry says of a mention that names both an institution and a person: the person is credited
when the mention makes them the speaker (a title, or a name with its description), the institution otherwise."""

import pytest

from suggest.engine import suggest
from suggest.gazetteer import Entry, Gazetteer

REGISTRY = Gazetteer.of(
    [
        Entry("Asan Institute for Policy Studies", "think_tank", 1, aliases=("Asan Institute",)),
        Entry("Go Myong-hyun", "expert", 2),
        Entry("Korea Institute for National Unification", "think_tank", 3, aliases=("KINU", "통일연구원")),
        Entry("김민수", "expert", 4),
    ]
)


@pytest.mark.parametrize(
    ("text", "kind", "source"),
    [
        ("Asan Institute researcher Go Myong-hyun said the vote had been decided in advance.", "expert",
         "Go Myong-hyun"),
        ("Go Myong-hyun, a research fellow at the Asan Institute for Policy Studies, said the vote was staged.",
         "expert", "Go Myong-hyun"),
        # A titled person the registry does not know is still a person, named as the text names them.
        ("KINU researcher Hong Min said the lower turnout could signal weaker state control.", "expert",
         "KINU researcher Hong Min"),
        ("통일연구원 김민수 연구위원은 투표율 하락이 통제 약화를 뜻한다고 말했다.", "expert", "김민수"),
        # The institution itself speaking is the institution.
        ("The Asan Institute said in a report that the vote had been decided in advance.", "think_tank",
         "Asan Institute for Policy Studies"),
        ("KINU said in a report Monday that the lower turnout could signal weaker state control.", "think_tank",
         "Korea Institute for National Unification"),
        ("통일연구원은 투표율 하락이 통제 약화를 뜻한다고 밝혔다.", "think_tank",
         "Korea Institute for National Unification"),
    ],
)  # fmt: skip
def test_a_titled_or_described_person_is_credited_before_their_institution(text, kind, source):
    (found,) = suggest(text, REGISTRY)
    assert (found.kind, found.source) == (kind, source)
