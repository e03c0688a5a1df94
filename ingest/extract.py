"""From bytes to an article draft: main text and metadata of HTML (trafilatura), PDF (pypdf) and text.

Pure functions of their input: no network, no database. `fetch.py` brings the bytes of a URL.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from corpus.importing import ImportProblem, decode, guess_metadata, normalise

from .charsets import decode_as_declared
from .problems import IngestProblem

HTML_TYPES = {"text/html", "application/xhtml+xml"}
ARCHIVES = {
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "application/x-7z-compressed",
    "application/vnd.rar",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)""", re.I)
# Shorter than this, what an extractor finds is a menu or a consent notice, not an article.
MIN_TEXT = 80
# A short page is an error page answered with 200 ("soft 404") when its title says so, or its text in the
# words such pages use; a consent or sign-in wall by the words walls use. Its words would be stored as an
# article. Phrases, not single words: a short brief may well say that rescuers "could not find" a boat.
ERROR_TITLE = re.compile(r"\b404\b|not found|page (?:does not|doesn.t) exist|^error\b", re.I)
NOT_AN_ARTICLE = re.compile(
    r"page (?:was |could )?not (?:be )?found|(?:couldn.t|could not|can.t|cannot) find (?:that|this|the) page"
    r"|the page you (?:requested|are looking for)"
    r"|we use cookies|accept (?:all )?cookies|cookie (?:settings|preferences)"
    r"|(?:subscribe|sign in|log in) to (?:read|continue)",
    re.I,
)
SHORT_PAGE = 600  # characters


@dataclass
class Draft:
    """An article before it is saved: its text and the metadata found for it."""

    text: str
    title: str = ""
    author: str = ""
    published: dt.date | None = None
    outlet: str = ""
    source_url: str = ""
    language: str = ""
    origin: str = ""  # the URL or file name it came from, for messages
    warnings: list[str] = field(default_factory=list)


def kind_of(name: str, content_type: str = "") -> str:
    """ "html", "pdf" or "text", from a declared content type or else a file name."""
    content_type = content_type.lower()
    if content_type in HTML_TYPES:
        return "html"
    if content_type == "application/pdf":
        return "pdf"
    if content_type == "text/plain":
        return "text"
    lowered = name.lower()
    if lowered.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lowered.endswith(".pdf"):
        return "pdf"
    return "text"


def decode_html(data: bytes, declared: str = "") -> str:
    """The page's text in the charset it declares (header, then <meta>), or UTF-8 if it declares none."""
    if not data.strip():
        raise IngestProblem("empty page", code="empty")
    match = _META_CHARSET.search(data[:4096])
    charset = declared or (match.group(1).decode("ascii").lower() if match else "")
    if charset:
        try:
            return decode_as_declared(data, charset, in_page=not declared)
        except LookupError:
            raise IngestProblem(f"the page declares an unknown charset ({charset!r})", code="charset") from None
        except UnicodeError:
            raise IngestProblem(
                f"the page is not valid {charset} although it declares that charset", code="charset"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise IngestProblem("the page declares no charset and is not UTF-8", code="charset") from None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def from_html(data: bytes, *, url: str = "", charset: str = "") -> Draft:
    """Main text and metadata of a news page; navigation, banners, share and comment blocks left out."""
    import trafilatura  # imported when needed: it loads slowly, and most requests never extract

    markup = decode_html(data, charset)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    try:
        document = trafilatura.bare_extraction(
            _captions_as_paragraphs(markup),
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    except Exception:  # a library's parser meeting anything a web server may send
        document = None
    meta = document.as_dict() if document is not None else {}
    text = normalise(meta.get("text") or "").strip()
    if len(text) < MIN_TEXT:
        raise IngestProblem("no article text could be extracted from the page", code="no_text")
    title = meta.get("title") or ""
    if len(text) < SHORT_PAGE and (found := ERROR_TITLE.search(title) or NOT_AN_ARTICLE.search(text)):
        raise IngestProblem(
            f"the page reads as an error, consent or sign-in page, not an article (it says “{found[0]}”)",
            code="no_text",
        )
    lang = _HTML_LANG.search(markup[:4096])
    language = (lang.group(1).lower() if lang else "") or guess_metadata(text, _no_path())["language"]
    return Draft(
        text=text,
        title=(meta.get("title") or "").strip()[:500],
        author=(meta.get("author") or "").strip()[:300],
        published=_date(meta.get("date")),
        outlet=(meta.get("sitename") or "").strip()[:200],
        source_url=_canonical(meta.get("url") or "", url)[:1000],
        language=language[:20],
        origin=url,
    )


def _captions_as_paragraphs(markup: str) -> str:
    """The page with each photo's caption also as a paragraph after its figure: trafilatura leaves figures out,
    and a caption says things a claim may quote ("a photo released by KCNA shows ...")."""
    if "<figcaption" not in markup.lower():
        return markup
    import lxml.html

    try:  # lxml refuses a str that declares its encoding (an XHTML page's "<?xml ... encoding=...?>")
        tree = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", markup))
    except (ValueError, lxml.etree.ParserError):
        return markup
    for caption in list(tree.iter("figcaption")):
        if text := " ".join(caption.text_content().split()):
            paragraph = lxml.html.Element("p")
            paragraph.text = text
            figure = next((a for a in caption.iterancestors("figure")), caption)
            figure.addnext(paragraph)
    return lxml.html.tostring(tree, encoding="unicode")


def _canonical(declared: str, fetched: str) -> str:
    """The page's own address: the canonical one it declares, unless that is a site's home page (a common
    misconfiguration that would make every article of the site one article), then the address fetched."""
    try:
        parts = urlsplit(declared)
    except ValueError:
        return fetched
    if not declared or (parts.path in ("", "/") and not parts.query):
        return fetched
    return declared


EDGE = (0, 1, -2, -1)  # the lines a running header or footer takes: two at a page's top, two at its foot


# What a page number says beside its number: "Page 3", "- 3 -", "3 / 12", "p. 3", "3쪽".
PAGE_NUMBER = re.compile(r"(?:page|p\.?|pg\.?|seite|페이지|쪽|of|[-–—/|·.\s])*", re.I)
RUNNING_LINE = 120  # characters: a running header or footer is short; a line of body text is not taken for one


def _shape(line: str) -> str | None:
    """What a line must share with the same place on other pages to be their running header or footer: the
    line itself, or, for a page number, its words without the number ("Day 1" and "Day 2" are not alike)."""
    line = " ".join(line.split())
    if not line or len(line) > RUNNING_LINE:
        return None
    words = re.sub(r"\d+", "", line)
    return "page #" if re.search(r"\d", line) and PAGE_NUMBER.fullmatch(words) else line


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines without its running header and footer: a short line that recurs (a page number with
    its number) in the same place at the top or the foot of three pages in five or more. Of a document of two
    pages only the first and last lines are compared, and they must recur on both."""
    if len(pages) < 2:
        return pages
    places = EDGE if len(pages) > 2 else (0, -1)

    def edges(lines):
        found = {(at, _shape(lines[at])) for at in places if -len(lines) <= at < len(lines)}
        return {edge for edge in found if edge[1] is not None}

    seen = Counter(edge for lines in pages for edge in edges(lines))
    running = {edge for edge, n in seen.items() if n >= max(2, -(-3 * len(pages) // 5))}
    kept = []
    for lines in pages:
        drop = {at % len(lines) for at, shape in edges(lines) if (at, shape) in running}
        # A second line is part of a header or footer only beside a first one that is: a body's own first or
        # last line is never dropped for recurring alone.
        drop -= {i for i, outer in ((1, 0), (len(lines) - 2, len(lines) - 1)) if outer not in drop}
        kept.append([line for i, line in enumerate(lines) if i not in drop])
    return kept


def pdf_paragraphs(pages: list[str]) -> str:
    """A PDF's text layer as paragraphs: pypdf gives each printed line, so a sentence broke wherever the page
    wrapped it, justified lines kept their wide spaces, and the running header came back on every page.

    Lines are joined into a paragraph until one shorter than a full line is followed by one that does not go
    on in lower case (a paragraph's last line, or a heading); a blank line always ends a paragraph.
    """
    lines = [line for page in _without_running_lines([p.splitlines() for p in pages]) for line in page]
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    full = lengths[len(lengths) * 3 // 4] if lengths else 0
    paragraphs, current, previous = [], "", 0
    for raw in lines:
        line = " ".join(raw.split())
        if current and line and (previous >= 0.85 * full or line[0].islower()):
            current += line if current.endswith("-") and line[0].islower() else " " + line
        else:
            if current:
                paragraphs.append(current)
            current = line
        previous = len(raw.strip())
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def from_pdf(data: bytes, *, name: str = "") -> Draft:
    """The text layer of a PDF and its document information (title, author, creation date)."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except Exception:  # pypdf raises many kinds of error on a damaged or encrypted file
        raise IngestProblem("not a readable PDF (damaged or encrypted)", code="bad_pdf") from None
    text = normalise(pdf_paragraphs(pages)).strip()
    if not text:
        raise IngestProblem("the PDF has no text layer (a scan?); it needs OCR first", code="no_text")
    guessed = guess_metadata(text, _no_path(name))
    try:  # the document information is parsed when read, and may be malformed
        created = getattr(info, "creation_date", None) if info else None
        title, author = str(info.get("/Title") or "").strip(), str(info.get("/Author") or "").strip()
    except Exception:
        created, title, author = None, "", ""
    return Draft(
        text=text,
        title=(normalise(title) or guessed["title"])[:500],
        author=normalise(author)[:300],
        published=created.date() if created else guessed["published"],
        language=guessed["language"],
        origin=name,
    )


def from_text(data: bytes, *, name: str = "") -> Draft:
    """A UTF-8 text file, as `import_articles` has always read it."""
    try:
        text = decode(data)
    except ImportProblem as exc:
        raise IngestProblem(str(exc), code="bad_text") from None
    return draft_from_text(text, name=name)


def draft_from_text(text: str, *, name: str = "", title: str = "") -> Draft:
    """Pasted text: the first line as title, a date and language guessed as for text files."""
    text = normalise(text).strip()
    if not text:
        raise IngestProblem("the text is empty", code="empty")
    guessed = guess_metadata(text, _no_path(name))
    return Draft(
        text=text,
        title=(title.strip() or guessed["title"])[:500],
        published=guessed["published"],
        language=guessed["language"],
        origin=name,
    )


def extract(data: bytes, *, name: str = "", content_type: str = "", charset: str = "", url: str = "") -> Draft:
    """A draft from bytes of any supported kind."""
    declared = content_type.split(";")[0].strip().lower()
    if declared.startswith(("image/", "audio/", "video/", "font/")) or declared in ARCHIVES:
        # What a browser says of an upload, as a fetch's Content-Type would say it: the same message both ways.
        raise IngestProblem(
            f"not a supported type ({declared}); expected HTML, plain text or PDF", code="unsupported_type"
        )
    kind = kind_of(name or url, content_type)
    if kind == "html":
        return from_html(data, url=url, charset=charset)
    if kind == "pdf":
        return from_pdf(data, name=name or url)
    if charset and charset not in ("utf-8", "utf8"):
        try:
            data = decode_as_declared(data, charset).encode("utf-8")
        except (LookupError, UnicodeError):
            raise IngestProblem(
                f"the text is not valid {charset} although it declares that charset", code="charset"
            ) from None
    return from_text(data, name=name or url)


class _no_path:
    """Stands in for the Path that guess_metadata falls back on for a title."""

    def __init__(self, name: str = ""):
        self.stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "Untitled article"
