"""How names and statements are tidied, compared and reserved: pure functions, no database.

A source's name, an alias and a fact's statement are stored as typed (white space tidied) and compared
by one key: NFKC, case-folded, white space collapsed. The lookups and the unique indexes both use that
key, so "Kim", "KIM" and "\u212aim" (with the Kelvin sign) are one name everywhere, never two.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

# What a reader without the permission sees in place of a sensitive source's name ("Protected source 3")
# or of such a name inside free text. No source may be called this: it would pass for a withheld name.
PSEUDONYM = "Protected source"
REDACTED = "[protected]"
_RESERVED = re.compile(r"^(?:protected source(?: ?#?\d+)?|\[protected\])$")
_PSEUDONYM_NUMBER = re.compile(r"^protected source ?#?(\d{1,9})$")


def clean_name(text: str) -> str:
    """A name or statement as stored: white space (any kind) collapsed to single spaces."""
    return " ".join(text.split())


def name_key(text: str) -> str:
    """The key two names are compared by: NFKC, case-folded (then NFKC again), white space collapsed.

    >>> name_key("  KIM   Chol ") == name_key("\u212aim chol")
    True
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def is_reserved(text: str) -> bool:
    """Whether the name reads as a withheld name ("protected source", "Protected source 3", "[protected]")."""
    return bool(_RESERVED.match(name_key(text)))


def pseudonym(number: int | None) -> str:
    return f"{PSEUDONYM} {number}" if number else PSEUDONYM


def pseudonym_number(text: str) -> int | None:
    """3 for "Protected source 3" (any case or spacing); None for anything else."""
    match = _PSEUDONYM_NUMBER.match(name_key(text))
    return int(match[1]) if match else None


def validate_not_reserved(value: str) -> None:
    """A source's name or alias may not read as a withheld name: it would pass for one."""
    if is_reserved(value):
        raise ValidationError(
            "“%(value)s” is how a protected source is shown to those who may not see its name: "
            "it cannot name a source.",
            code="reserved",
            params={"value": value},
        )
