"""Turn text files into articles: decoding, normalisation, manifests and metadata guessing.

Every function here is usable without a management command; `import_articles` only reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from .models import Article, Outlet

MANIFEST_NAME = "manifest.toml"
MANIFEST_FIELDS = {"title", "outlet", "outlet_homepage", "author", "published", "source_url", "language"}
FIELD_LIMITS = {"title": 500, "outlet": 200, "outlet_homepage": 200, "author": 300, "source_url": 1000, "language": 20}
_http_url = URLValidator(schemes=["http", "https"])
SLUG_MAX = 80
# The largest file imported, in bytes: a long report is a few hundred kilobytes, and importing holds
# the text several times over (bytes, decoded, normalised).
MAX_BYTES = 5_000_000


class ImportProblem(Exception):
    """A file or manifest that cannot be imported; the message is shown to the user as is."""


@dataclass
class Candidate:
    """A file to import and the manifest entry that describes it, if any."""

    path: Path
    meta: dict = field(default_factory=dict)


@dataclass
class Result:
    path: Path
    status: str  # "created", "unchanged" or "failed"
    article: Article | None = None
    reason: str = ""


def normalise(text: str) -> str:
    """NFC, Unix newlines, no byte-order mark: the one form every offset refers to."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def decode(data: bytes) -> str:
    """Decode UTF-8 bytes into normalised text, or raise ImportProblem saying why not."""
    if not data.strip():
        raise ImportProblem("empty file")
    if b"\x00" in data:
        raise ImportProblem("binary file (contains NUL bytes), expected UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    text = normalise(text)
    if not text.strip():
        raise ImportProblem("empty file (only whitespace)")
    return text


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digests(text: str) -> set[str]:
    """The digests `text` may be stored under: as it is, and without (or with one line break for) the white
    space at its ends, which text files keep and what is pasted or extracted loses: one text, not two."""
    core = text.strip()
    return {sha256(text), *(sha256(core + end) for end in ("", "\n", "\n\n", " \n"))}


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "%Y-%m-%d", lambda m: "-".join(m.groups())),
    (
        re.compile(rf"\b(\d{{1,2}}) ({_MONTHS})\.? (\d{{4}})\b", re.I),
        "%d %B %Y",
        lambda m: f"{m[1]} {m[2]} {m[3]}",
    ),
    (
        re.compile(rf"\b({_MONTHS})\.? (\d{{1,2}}), (\d{{4}})\b", re.I),
        "%B %d %Y",
        lambda m: f"{m[1]} {m[2]} {m[3]}",
    ),
]


def _parse_date(raw: str, fmt: str) -> dt.date | None:
    for candidate_fmt in (fmt, fmt.replace("%B", "%b")):
        try:
            return dt.datetime.strptime(re.sub(r"\bSept\b", "Sep", raw, flags=re.I), candidate_fmt).date()
        except ValueError:
            continue
    return None


def guess_metadata(text: str, path: Path) -> dict:
    """Best guesses for a file without a manifest entry: title, date and language."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    title = lines[0][:300] if lines else path.stem
    published = None
    head = "\n".join(lines[:30])
    for pattern, fmt, to_raw in _DATE_PATTERNS:
        match = pattern.search(head)
        if match and (published := _parse_date(to_raw(match), fmt)):
            break
    letters = [ch for ch in text if ch.isalpha()]
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3")
    language = "ko" if letters and hangul / len(letters) > 0.3 else "en"
    return {"title": title, "published": published, "language": language}


def _check_entry(name: str, entry: object) -> dict:
    if not isinstance(entry, dict):
        raise ImportProblem(f"entry for {name!r} must be a table of fields")
    unknown = set(entry) - MANIFEST_FIELDS
    if unknown:
        raise ImportProblem(
            f"entry for {name!r} has unknown field(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(MANIFEST_FIELDS))}"
        )
    for key, value in entry.items():
        if key == "published":
            if value == "":
                entry[key] = None  # known to be undated: do not guess a date from the text
                continue
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    raise ImportProblem(f"entry for {name!r}: published must be a date (YYYY-MM-DD)") from None
            if isinstance(value, dt.datetime):
                value = value.date()
            if not isinstance(value, dt.date):
                raise ImportProblem(f"entry for {name!r}: published must be a date (YYYY-MM-DD)")
            entry[key] = value
        elif not isinstance(value, str):
            raise ImportProblem(f"entry for {name!r}: {key} must be a string")
        elif len(value) > FIELD_LIMITS[key]:
            raise ImportProblem(f"entry for {name!r}: {key} is longer than {FIELD_LIMITS[key]} characters")
        elif key in ("source_url", "outlet_homepage") and value:
            try:
                _http_url(value)
            except ValidationError:
                raise ImportProblem(f"entry for {name!r}: {key} must be an http(s) address") from None
    if "title" in entry and not entry["title"].strip():
        raise ImportProblem(f"entry for {name!r}: title is empty")
    return entry


def load_manifest(path: Path) -> dict[str, dict]:
    """Read a manifest.toml: one `[files."name.txt"]` table of metadata per file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ImportProblem("manifest is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ImportProblem(f"manifest is not valid TOML: {exc}") from None
    unknown = set(data) - {"files"}
    if unknown:
        raise ImportProblem(f"manifest has unknown top-level key(s) {', '.join(sorted(unknown))}; expected [files]")
    files = data.get("files", {})
    if not isinstance(files, dict):
        raise ImportProblem("manifest [files] must be a table")
    return {name: _check_entry(name, entry) for name, entry in files.items()}


def collect(paths: list[Path], manifest: Path | None = None) -> tuple[list[Candidate], list[Result]]:
    """Expand files and folders into candidates, pairing each with its manifest entry.

    A folder's own manifest.toml applies to the files below it; an explicit `manifest` applies to
    everything. A malformed manifest fails every file it would have described.
    """
    candidates: list[Candidate] = []
    failures: list[Result] = []
    explicit: dict[str, dict] = {}
    if manifest is not None:
        try:
            explicit = load_manifest(manifest)
        except (ImportProblem, OSError) as exc:
            return [], [Result(manifest, "failed", reason=_reason(exc))]
    for path in paths:
        if not path.exists():
            failures.append(Result(path, "failed", reason="no such file or folder"))
            continue
        if path.is_file() and path.name == MANIFEST_NAME:
            failures.append(
                Result(path, "failed", reason="is a manifest, not an article; pass its folder or use --manifest")
            )
            continue
        if path.is_file():
            entries = explicit
            folder_manifest = path.parent / MANIFEST_NAME
            if not entries and folder_manifest.is_file():
                try:
                    entries = load_manifest(folder_manifest)
                except ImportProblem as exc:
                    failures.append(Result(folder_manifest, "failed", reason=str(exc)))
                    continue
            candidates.append(Candidate(path, dict(entries.get(path.name, {}))))
            continue
        entries = explicit
        own_manifest = path / MANIFEST_NAME
        if not entries and own_manifest.is_file():
            try:
                entries = load_manifest(own_manifest)
            except ImportProblem as exc:
                failures.append(Result(own_manifest, "failed", reason=str(exc)))
                continue
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.name != MANIFEST_NAME
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        for name in sorted(set(entries) - {p.relative_to(path).as_posix() for p in files}):
            if explicit:
                continue
            failures.append(Result(own_manifest, "failed", reason=f"names {name!r}, which is not in the folder"))
        for file in files:
            candidates.append(Candidate(file, dict(entries.get(file.relative_to(path).as_posix(), {}))))
    return candidates, failures


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


# Slugs that name a page under /articles/ rather than an article.
RESERVED_SLUGS = {"add"}


def unique_slug(title: str) -> str:
    """An article's web address from its title, unique. A title in another script is written in Latin letters
    first (anyascii): "북한 지방선거 투표율" gives "bughan-jibangseongeo-tupyoyul", where slugify alone kept
    only its digits, or nothing."""
    base = slugify(anyascii(title), allow_unicode=False)[:SLUG_MAX].rstrip("-") or "article"
    if len(base) == SLUG_MAX and "-" in base:
        base = base.rsplit("-", 1)[0]
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Article.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def read_limited(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, or ImportProblem if there are more than `max_bytes`.

    The size on disk is checked before anything is read, and the read stops one byte past the limit
    whatever the size said (a file that grows meanwhile, a pipe), so memory stays bounded.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportProblem(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportProblem(f"too large (more than {max_bytes:,} bytes; the limit is {max_bytes:,})")
    return data


def import_file(candidate: Candidate, *, max_bytes: int = MAX_BYTES) -> Result:
    """Store one file as an article, atomically; unchanged when the same text is already stored."""
    path = candidate.path
    try:
        text = decode(read_limited(path, max_bytes))
    except ImportProblem as exc:
        return Result(path, "failed", reason=str(exc))
    except OSError as exc:
        return Result(path, "failed", reason=_reason(exc))
    digest = sha256(text)
    existing = Article.objects.filter(text_sha256__in=digests(text)).order_by("pk").first()
    if existing:
        return Result(path, "unchanged", existing)
    meta = guess_metadata(text, path) | candidate.meta
    try:
        article = _store(path, text, digest, meta)
    except DatabaseError as exc:
        return Result(path, "failed", reason=f"not stored: {exc}".splitlines()[0])
    return Result(path, "created", article)


def store_article(*, name: str, text: str, meta: dict) -> Article:
    """Store a new article from normalised text and its metadata (title required); refuses a stored text."""
    return _store(Path(name or "article"), text, sha256(text), meta)


@transaction.atomic
def _store(path: Path, text: str, digest: str, meta: dict) -> Article:
    """One article and, if new, its outlet: both or neither."""
    outlet = None
    if name := (meta.get("outlet") or "").strip():  # an outlet of white space is no outlet
        outlet, _ = Outlet.objects.get_or_create(name=name, defaults={"homepage": meta.get("outlet_homepage", "")})
    return Article.objects.create(
        slug=unique_slug(meta["title"]),
        title=meta["title"].strip(),
        outlet=outlet,
        author=meta.get("author", "").strip(),
        published=meta.get("published"),
        source_url=meta.get("source_url", "").strip(),
        language=meta.get("language") or "en",
        text=text,
        text_sha256=digest,
        source_file=path.name,
    )
