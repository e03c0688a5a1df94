"""The one rule that keeps sensitive sources secret.

An informant's name can cost them their freedom. Every way a source's name or a person's free text
reaches a user (pages, partials, popovers, history, exports, the API, the admin, autocomplete) goes
through the `Mask` of that user:

- `Mask.source(pk, name, sensitive)`: a sensitive source's name only for those with the
  `annotate.view_sensitive_source` permission; everyone else sees a stable pseudonym, "Protected
  source 3", numbered in the order the sensitive sources were registered. It still tells two protected
  sources apart (they count as two origins), never who they are.
- `Mask.text(text, author_id)`: registered sensitive names and aliases inside free text (a claim's
  note, a review note, a fact's statement, a source's description, a name typed by a reviewer) become
  "[protected]". Matching ignores case, accents, width, zero-width characters, letters of other scripts
  that look like Latin ones ("Kіm" with a Cyrillic і), and whether a name's words are written apart or
  together ("Kim Chol-su", "Kim Cholsu", "KimChol-su"; a zero-width space between them is dropped). A person
  sees their own text as they wrote it: showing it back redacted would confirm that a name they typed
  is a protected one.

Article text is published news and is never touched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from confusable_homoglyphs import confusables
from django.db import connections, router

from config.lookups import column, table

from .models import Source, SourceAlias, can_see_sensitive
from .names import REDACTED, pseudonym, pseudonym_number

__all__ = [
    "Mask",
    "can_see_sensitive",
    "holds_protected_name",
    "mask_for",
    "protected_pattern",
    "remove_sensitive_names",
    "skeleton",
]


def _skeleton_char(code: int) -> str | None:
    """What `skeleton` makes of one character: a space if a space, a dash, a soft hyphen, a minus sign or a
    connector such as "_" ("Choe Myong-hui", "Choe Myong hui", "Choe_Myong−hui" name one person); dropped
    (None) if another mark or format character; the Latin letter it is made to look like, if a letter of
    another script (Unicode's confusables: Cyrillic "а" is "a"); itself otherwise."""
    char = chr(code)
    category = unicodedata.category(char)
    if char.isspace() or category in ("Pd", "Pc") or char in "\u00ad\u2212":
        return " "
    if category in ("Mn", "Me", "Cf"):
        return None
    # Only letters of scripts below U+1100 (Greek, Cyrillic, Armenian...): those above count as outside a word
    # at a name's edge (`_WORD`), and made Latin they would join the word next to them and unmask it.
    return _latin_look_alike(char) if category.startswith("L") and 0x7F < code < 0x1100 else char


def _latin_look_alike(char: str) -> str:
    """The lower-case ASCII letter that `char` (a letter, its case folded) or its capital passes for, or
    `char`. Letters of Hangul and Han are their own: nothing Latin looks like them."""
    for form in (char, char.upper()):
        if len(form) != 1:
            continue
        for found in confusables.is_confusable(form, preferred_aliases=["latin"]) or ():
            for glyph in found["homoglyphs"]:
                if len(glyph["c"]) == 1 and glyph["c"].isascii() and glyph["c"].isalpha():
                    return glyph["c"].lower()
    return char


class _SkeletonTable(dict):
    """`_skeleton_char` by code point, for `str.translate`, each worked out the first time it is met: the
    table of every code point took 0.5-0.8 s to build, which the first masked request of each process paid."""

    def __missing__(self, code: int) -> str | None:
        self[code] = found = _skeleton_char(code)
        return found


@cache
def _skeleton_table() -> _SkeletonTable:
    return _SkeletonTable()


def skeleton(text: str) -> str:
    """Text reduced for matching names in it: decomposed, case-folded, without accents, zero-width
    characters or repeated spaces, every dash a space.

    >>> skeleton("Jos\u00e9  KIM\u00ad\u2011Chol") == skeleton("jose kim chol") == "jose kim chol"
    True
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return _SPACES.sub(" ", folded.translate(_skeleton_table()))


_SPACES = re.compile(" {2,}")


def _skeleton_map(text: str) -> tuple[str, list[int]]:
    """`skeleton(text)` character by character, with the index in `text` each of its characters came from."""
    table = _skeleton_table()
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold()):
            part = table[ord(part)]
            if not part or (part == " " and out and out[-1] == " "):
                continue
            out.append(part)
            origin.append(index)
    return "".join(out), origin


def _wordlike(char: str) -> bool:
    """Letters and digits of scripts that separate words with spaces; Hangul and Han names take particles
    with no space between ("김철수가"), so a name in those scripts may end inside a word."""
    return char.isalnum() and ord(char) < 0x1100


# What may not touch a name that begins or ends with a `_wordlike` character: a word character of those
# scripts ("Kim Chol-sung" is someone else than "Kim Chol-su"). Hangul or Han next to a Latin name does not
# make it another word: "Kim Chol-su가 말했다" names him, its particle attached. With `\w` there, the name
# went unredacted; and since a redacted name never ends with such a character right before another name
# that begins with one, one pass of `_redact` leaves no name that the redaction itself would uncover.
_WORD = r"(?=\w)[\x00-\u10ff]"
_BEFORE, _AFTER = rf"(?<!{_WORD})", rf"(?!{_WORD})"
_FIRST = rf"(?<!{_WORD}[\s\S])"  # _BEFORE, checked once a name's first character has been read


def _keys(names: list[str]) -> tuple[str, ...]:
    """The skeletons of the names that are long enough to look for, each also with its words run together in
    every way (`_joined`)."""
    keys = (skeleton(name).strip() for name in names)
    return tuple(sorted({joined for key in keys if len(key) >= 2 for joined in _joined(key)}))


JOINED_WORDS = 4  # a name of up to this many words is also looked for with its words run together
JOINED_LENGTH = 6  # and only where the words run together make at least this many characters


def _joined(key: str) -> set[str]:
    """`key` with each space between its words kept or left out: a Korean given name is written "Chol-su",
    "Chol su" or "Cholsu" (`skeleton` reads the dash as a space), and a zero-width space between two words,
    which `skeleton` drops, runs them together. Every form is a literal key of its own, so that the pattern
    still takes the longest name found at a place. Words are run together only into a word of JOINED_LENGTH
    characters or more: "Li Na" would otherwise hide "Lina", "An Na" "Anna", and a reader who saw an ordinary
    word hidden would learn the shape of a protected name. Longer names (descriptions used as aliases) are
    looked for as written: their forms would double with every word."""
    words = key.split(" ")
    if len(words) > JOINED_WORDS:
        return {key}
    forms = {(words[0],)}
    for word in words[1:]:
        forms = {form + (word,) for form in forms} | {(*form[:-1], form[-1] + word) for form in forms}
    return {" ".join(form) for form in forms if all(part in words or len(part) >= JOINED_LENGTH for part in form)}


def name_pattern(names: list[str]) -> re.Pattern | None:
    """One pattern finding any of `names` in `skeleton()`ed text; None when there is nothing to find."""
    return _pattern(_keys(names))


@lru_cache(maxsize=8)  # keyed by every name it finds, so a changed registry is a new pattern, never a stale one
def _pattern(keys: tuple[str, ...]) -> re.Pattern | None:
    """The keys as one alternation shaped like a trie ("kim (?:chol-su|yong-ho)"), each with its word
    boundaries, taking the longest key that matches at a place ("Kim Chol-su" whole rather than "Kim").

    A flat alternation of the keys makes `re` try every one of them at every character of a text: with
    250 names sharing a prefix, 72 µs a fact statement, 56 ms of a dashboard that masks 2,000 of them.
    The trie tries each character once per branch (`tests/test_masking.py` holds the two to the same
    matches).
    """
    if not keys:
        return None
    try:
        return re.compile(_group(_trie(list(keys))))
    except RecursionError:  # hundreds of names branching one after another nest deeper than `re` parses
        return _flat(keys)


def _flat(keys: tuple[str, ...]) -> re.Pattern:
    """The same matches as `_pattern`'s, as a flat alternation of the keys, longest first."""
    parts = []
    for key in sorted(keys, key=lambda key: (-len(key), key)):
        lead = _BEFORE if _wordlike(key[0]) else ""
        parts.append(lead + re.escape(key) + (_AFTER if _wordlike(key[-1]) else ""))
    return re.compile("|".join(parts))


_END = ""  # the trie's mark of a node where a key ends


def _trie(keys: list[str]) -> dict:
    root: dict = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[_END] = {}
    return root


def _group(node: dict, last: str = "") -> str:
    """The regex of a trie node reached by the character `last` (the root by none): its branches, longest
    first, then, where a key ends, that key's closing word boundary.

    A key's opening boundary is checked after its first character (`_FIRST`), so that the pattern begins
    with a choice of characters, which `re` looks for before trying anything at a place: one boundary
    check at every character of a text had doubled the time of a search.
    """
    opening = "" if last else _FIRST  # a key's first character is a branch of the root
    branches = [
        re.escape(char) + (opening if _wordlike(char) else "") + _group(child, char)
        for char, child in sorted(node.items())
        if char != _END
    ]
    if _END in node:
        branches.append(_AFTER if _wordlike(last) else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True)
class _Registry:
    """The sensitive sources as a mask needs them: pseudonym numbers, and a pattern of their names."""

    numbers: dict[int, int]  # source id -> its pseudonym's number
    by_number: dict[int, int]  # pseudonym number -> source id
    pattern: re.Pattern | None
    keys: tuple[str, ...]  # the skeletons the pattern looks for

    @classmethod
    def load(cls, using: str | None = None) -> _Registry:
        """The registry as it is now: one query, which every request of a reader without the permission
        makes, and the names' skeletons and pattern worked out once per registry (`_built`). `using`: the
        database to read (a write reads the primary, which holds what its own transaction changed)."""
        with connections[using or router.db_for_read(Source)].cursor() as cursor:
            cursor.execute(_registry_sql())
            rows = ((pk, name, bool(alias), number or 0) for pk, name, alias, number in cursor.fetchall())
            return _built(tuple(sorted(rows)))


@lru_cache(maxsize=8)  # keyed by every row it is built from, so a changed registry is a new one, never stale
def _built(rows: tuple[tuple[int, str, bool, int], ...]) -> _Registry:
    """A registry from its rows: (source id, a name of it, whether that name is an alias, its pseudonym's
    number: `Source.pseudonym`, or 0 for a source marked sensitive without being saved, by a bulk update,
    which is numbered after the others in the order of ids)."""
    numbers = {pk: number for pk, _, alias, number in rows if not alias and number}
    unnumbered = sorted(pk for pk, _, alias, number in rows if not alias and not number)
    numbers |= {pk: n for n, pk in enumerate(unnumbered, start=max(numbers.values(), default=0) + 1)}
    keys = _keys([name for _, name, _, _ in rows])
    return _Registry(
        numbers=numbers, by_number={number: pk for pk, number in numbers.items()}, pattern=_pattern(keys), keys=keys
    )


@cache
def _registry_sql() -> str:
    """The sensitive sources' names and their aliases, in SQL written out: the ORM's union of the two cost
    0.6 ms of CPU a request to build, against about 0.1 ms."""
    sensitive, number = column(Source, "sensitive"), column(Source, "pseudonym")
    return (
        f"SELECT {column(Source, 'id')}, {column(Source, 'name')}, 0, {number} FROM {table(Source)} WHERE {sensitive} "  # noqa: S608 (names only)
        f"UNION ALL SELECT {column(SourceAlias, 'source')}, {column(SourceAlias, 'name')}, 1, {number} "
        f"FROM {table(SourceAlias)} "
        f"INNER JOIN {table(Source)} ON {column(Source, 'id')} = {column(SourceAlias, 'source')} WHERE {sensitive}"
    )


class Mask:
    """What one user may see of sources' names and of free text; build it with `mask_for(user)`."""

    def __init__(self, user):
        self.reveal = can_see_sensitive(user)
        self.user_id = user.pk

    @classmethod
    def for_reader(cls, *, reveal: bool) -> Mask:
        """The mask of a reader who is no account (a file written from the command line)."""
        mask = cls.__new__(cls)
        mask.reveal, mask.user_id = reveal, None
        return mask

    @cached_property
    def _registry(self) -> _Registry:
        return _Registry.load()

    def source(self, pk: int | None, name: str, sensitive: bool) -> str:
        """A source's name as this user may see it; "" for no source."""
        if pk is None and not name:
            return ""
        if not sensitive or self.reveal:
            return name
        return pseudonym(self._registry.numbers.get(pk))

    def of(self, source: Source | None) -> str:
        """`source()` for a Source instance (or None)."""
        return self.source(source.pk, source.name, source.sensitive) if source is not None else ""

    def text(self, text: str, author_id: int | None = None) -> str:
        """Free text with every registered sensitive name in it redacted, unless this user may see them or
        wrote it."""
        if not text or self.reveal or (author_id is not None and author_id == self.user_id):
            return text
        pattern = self._registry.pattern
        if pattern is None or not pattern.search(skeleton(text)):
            return text
        return _redact(text, pattern)

    def redaction_keys(self) -> tuple[str, ...]:
        """What `text` looks for in the `skeleton` of a text: () when it redacts nothing for this user.

        A text whose skeleton holds none of these comes back from `text` unchanged; the database uses
        this to pick the few texts an export made by PostgreSQL must have redacted here.
        """
        return () if self.reveal or self._registry.pattern is None else self._registry.keys

    def hides(self, text: str) -> bool:
        """Whether `text` names a sensitive source (so this user would see it redacted)."""
        return bool(text) and self.text(text) != text

    def pseudonymous_source(self, text: str) -> int | None:
        """The id of the sensitive source that `text` ("Protected source 3") stands for, if any."""
        number = pseudonym_number(text)
        return self._registry.by_number.get(number) if number else None


def remove_sensitive_names(text: str, *, using: str | None = None) -> str:
    """`text` without any registered sensitive name, for what everyone sees alike (a fact's web address)."""
    pattern = _Registry.load(using).pattern
    if not text or pattern is None or not pattern.search(skeleton(text)):
        return text
    return _redact(text, pattern, " ")


def holds_protected_name(text: str, *, using: str | None = None, pattern: re.Pattern | None = None) -> bool:
    """Whether `text` (a statement, or a web address, whose hyphens `skeleton` reads as spaces) holds a
    protected name or alias, by the one rule that redacts them: "choe-myong-hui-confirmed" holds "Choe
    Myong-hui", "choel-report" does not hold "Choe". `pattern`: `protected_pattern()`, read once by a caller
    that checks many texts."""
    pattern = protected_pattern(using) if pattern is None else pattern
    return pattern is not None and pattern.search(skeleton(text)) is not None


def protected_pattern(using: str | None = None) -> re.Pattern | None:
    """The pattern of every protected name and alias (None when there are none), for `holds_protected_name`."""
    return _Registry.load(using).pattern


def _redact(text: str, pattern: re.Pattern, replacement: str = REDACTED) -> str:
    """`text` with every stretch that any protected name covers replaced, names that overlap as one stretch:
    with "Kim Chol" and "Chol-su Pak" protected, "Kim Chol-su Pak said" hides both ("[protected] said"),
    where taking only matches that do not overlap would leave "-su Pak" to read."""
    folded, origin = _skeleton_map(text)
    stretches: list[list[int]] = []
    match = pattern.search(folded)
    while match is not None:
        if match.end() > match.start():
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            # Marks and zero-width characters right after the name belong to it.
            while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Me", "Cf"):
                end += 1
            if stretches and start <= stretches[-1][1]:
                stretches[-1][1] = max(stretches[-1][1], end)
            else:
                stretches.append([start, end])
        match = pattern.search(folded, match.start() + 1)  # a name may begin inside the one just found
    pieces, last = [], 0
    for start, end in stretches:
        pieces += [text[last:start], replacement]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def mask_for(user) -> Mask:
    """The user's mask, made once per request (it is kept on the user object the request carries)."""
    mask = getattr(user, "_provenance_mask", None)
    if mask is None:
        mask = user._provenance_mask = Mask(user)
    return mask
