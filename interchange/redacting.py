"""The free texts an export made by PostgreSQL (`interchange.copying`) must have redacted here, in Python.

The database picks the texts of the selection that may hold a sensitive name: any non-ASCII text, or an
ASCII one whose `skeleton`, which SQL can work out exactly for ASCII (lower case, every space, - and _ one
space), holds one of the mask's keys (`Mask.redaction_keys`: a text whose skeleton holds none comes back
from `Mask.text` unchanged). The mask redacts those; the export's SELECT reads the redacted text back by
the original.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db import connections
from django.db.models import Q, QuerySet

from annotate.masking import Mask
from annotate.relays import ClaimRelay

from .columns import COLUMNS, FETCH

# The skeleton (`annotate.masking.skeleton`) of an ASCII text: lower case, every space character, the
# hyphen and the underscore one space.
ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_SPACES = "".join(c for c in map(chr, range(1, 128)) if c.isspace()) + "-_"


def candidates(claims: QuerySet, mask: Mask) -> tuple[str, list]:
    """SQL for the distinct free texts of the selection that others wrote (the reader's own stay as they are):
    the claims' own free texts, and the names proposed in their relay chains (a registry source in a chain is
    named by id). Read from the claims' columns and the relays' table, not from the export's SELECT, whose
    relay subquery would run for every claim (bench/: 0.6 s of server time at 100,000 claims, then 0.1 s)."""
    fetched = {name: expression for name, expression, _ in FETCH}
    frees = [fetched[name] for name in sorted({column.free for column in COLUMNS if column.free})]
    db = claims.db
    claims = claims.order_by()
    if mask.user_id is not None:
        claims = claims.exclude(annotator_id=mask.user_id)
    parts, params = [], []
    if frees:
        written = claims.filter(reduce(operator.or_, (~Q(**{field: ""}) for field in frees)))
        sql, sql_params = written.values_list(*frees).query.get_compiler(using=db).as_sql()
        aliases = ", ".join(f"t{n}" for n in range(len(frees)))
        # Empty texts are left out before the texts are made distinct, not after: with them (a claim with a note
        # has no proposed names, say) PostgreSQL expected as many distinct texts as rows and sorted them on disk
        # (bench/: at 1,000,000 claims, 300,000 texts of which 5 distinct, the query took 1.0 s); without, it
        # hashes the 100,000 non-empty ones (0.6 s, most of it reading the claims).
        unnested = f"CROSS JOIN LATERAL unnest(ARRAY[{aliases}]) AS u(v) WHERE u.v <> ''"
        parts.append(f"SELECT u.v FROM ({sql}) AS f({aliases}) {unnested}")  # noqa: S608
        params += sql_params
    if any(column.chain for column in COLUMNS):  # a chain is `ClaimRelay` rows (`columns._Relays`)
        relays = (
            ClaimRelay.objects.order_by()
            .filter(claim__in=claims.values("pk"), source__isnull=True)
            .exclude(proposed="")
        )
        sql, sql_params = relays.values_list("proposed").query.get_compiler(using=db).as_sql()
        parts.append(sql)
        params += sql_params
    return " UNION ".join(parts), params


def redactions(claims: QuerySet, mask: Mask) -> dict[str, str]:
    """{original: redacted} for the free texts of the selection that the mask changes for this reader."""
    keys = mask.redaction_keys()
    if not keys or not any(column.free or column.chain for column in COLUMNS):
        return {}
    texts, params = candidates(claims, mask)
    skeleton = "regexp_replace(translate(d.v, %s, %s), ' {2,}', ' ', 'g')"
    # Each distinct text once (UNION), then the test: most free texts repeat (the same relay, the same note).
    sql = (
        f"SELECT d.v FROM ({texts}) AS d(v) WHERE d.v <> '' AND (d.v ~ '[^\\x01-\\x7f]' "  # noqa: S608 -- ours
        f"OR EXISTS (SELECT 1 FROM unnest(%s::text[]) AS k(key) WHERE strpos({skeleton}, k.key) > 0))"
    )
    upper, lower = ASCII_UPPER + ASCII_SPACES, ASCII_UPPER.lower() + " " * len(ASCII_SPACES)
    params += [list(keys), upper, lower]
    found = {}
    # A server-side cursor (inside the export's transaction): the candidates are read 2,000 at a time.
    with connections[claims.db].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            for (text,) in batch:
                if (masked := mask.text(text)) != text:
                    found[text] = masked
    return found
