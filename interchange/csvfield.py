"""One CSV field as the exports write it: quoted as RFC 4180 says, and never run as a formula.

`field` is the export's hot path; `csv_safe` states the same rule for code that hands values to
`csv.writer`, and the tests hold the two to the same output.
"""

import re
from collections.abc import Iterable

# What makes a spreadsheet run a cell as a formula, at the start of the cell: OWASP's list (= + - @, tab,
# carriage return, line feed) and the full-width forms of the four signs, which some spreadsheets take
# for the ASCII ones.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA_STARTS = "".join(FORMULA_PREFIXES)
# A formula sign after a separator a spreadsheet may split on (comma, semicolon, tab, a line break),
# perhaps behind the quotes that open a field: where such a spreadsheet would start a new cell inside ours.
_INNER_FORMULA = re.compile("([,;\t\r\n][\"']*)([=+\\-@\uff1d\uff0b\uff0d\uff20])")
_search_inner, _neutralise_inner = _INNER_FORMULA.search, _INNER_FORMULA.sub


def csv_safe(value):
    """A cell value that a spreadsheet will show as text, never run as a formula (CSV injection).

    OWASP's advice, for every separator a spreadsheet may split a line on, since a file opened in a
    European locale splits on semicolons and a pasted one on tabs whatever we quote for commas:

    - a cell that starts with = + - @ (or their full-width forms, which some spreadsheets read as the
      same signs), a tab, a carriage return or a line feed is prefixed with an apostrophe, which the
      spreadsheet takes as "this is text" and hides;
    - inside a cell, a formula sign that follows a comma, semicolon, tab or line break (perhaps behind
      quotes, which open a field there) gets the same apostrophe in front of it: a spreadsheet splitting
      there starts a new cell, and a double quote in the middle of its field does not quote anything for
      it, so quoting for commas alone does not protect it.

    So `innocent;=4*5;text` is written `innocent;'=4*5;text`. Numbers and None pass unchanged; JSON
    Lines and W3C keep the text exactly. `_field` applies the same rule inline.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in _FORMULA_STARTS:
        value = "'" + value
    return _neutralise_inner(r"\1'\2", value) if _search_inner(value) else value


def csv_line(record: Iterable) -> str:
    """One record as a CSV line: what csv.writer writes (minimal quoting, CRLF) after `csv_safe` on each cell.

    The fields are joined here rather than by csv.writer, which examines each character of each field in
    turn and took half the export's time; `in` and `replace` scan a field at C speed.
    """
    return ",".join([field(value) for value in record]) + "\r\n"


def field(value) -> str:
    """One CSV field: text neutralised against formulas (`csv_safe`), then quoted if it holds a quote, comma or
    line break.

    The export's hot path: cheap `in` checks decide before any regex runs. A formula sign inside a field
    matters only after a separator: a field that is quoted has one (a comma or line break) unless it holds
    only a quote; one that is not may still hold a semicolon or tab. The regex runs only where both a
    separator and a formula sign (ASCII, or full-width in non-ASCII text) are present.
    """
    if value.__class__ is str:
        if value and value[0] in _FORMULA_STARTS:
            value = "'" + value
        # The same gate in both quoted branches, written out: a function call would cost more than the checks.
        if '"' in value:
            if (
                "-" in value
                or "=" in value
                or "+" in value
                or "@" in value
                or (
                    not value.isascii()
                    and ("\uff1d" in value or "\uff0b" in value or "\uff0d" in value or "\uff20" in value)
                )
            ) and _search_inner(value):
                value = _neutralise_inner(r"\1'\2", value)
            return '"' + value.replace('"', '""') + '"'
        if "," in value or "\n" in value or "\r" in value:
            if (
                "-" in value
                or "=" in value
                or "+" in value
                or "@" in value
                or (
                    not value.isascii()
                    and ("\uff1d" in value or "\uff0b" in value or "\uff0d" in value or "\uff20" in value)
                )
            ) and _search_inner(value):
                value = _neutralise_inner(r"\1'\2", value)
            return '"' + value + '"'
        if (";" in value or "\t" in value) and _search_inner(value):
            return _neutralise_inner(r"\1'\2", value)
        return value
    return "" if value is None else str(value)
