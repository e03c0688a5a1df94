"""Fetching and extracting articles: the address guard, the limits, and extraction of fixture pages.

Pages are served on 127.0.0.1 (tests/pageserver.py); the guard is tested with the setting off, where
every refused address is refused before any connection is made.
"""

import datetime as dt
import socket
import time

import pytest

from ingest import fetch as fetching
from ingest.extract import extract, from_html, from_pdf
from ingest.fetch import fetch
from ingest.problems import IngestProblem
from tests.pageserver import HTML, page, serve


@pytest.fixture
def allow_private(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = True
    settings.ARTICLE_FETCH_TIMEOUT = 2
    return settings


@pytest.fixture
def guarded(settings):
    settings.ARTICLE_FETCH_ALLOW_PRIVATE = False
    settings.ARTICLE_FETCH_TIMEOUT = 2
    return settings


def problem(url) -> IngestProblem:
    with pytest.raises(IngestProblem) as caught:
        fetch(url)
    return caught.value


# ---- the guard ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1:8080/",
    ],
)
def test_private_loopback_link_local_and_multicast_addresses_are_refused(guarded, url):
    assert problem(url).code == "refused_address"


def test_a_name_resolving_to_a_private_address_is_refused(guarded, monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "intranet.example":  # public-looking name, private address (or one of several)
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 80)),
            ]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    caught = problem("http://intranet.example/report")
    assert caught.code == "refused_address" and "10.1.2.3" in str(caught)


def test_a_public_url_redirecting_to_a_private_one_is_refused(guarded, monkeypatch):
    real_resolve, real_refused = socket.getaddrinfo, fetching.refused
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: real_resolve("127.0.0.1" if host == "news.example" else host, *a, **k),
    )
    # The fixture server stands for a public site: its loopback address passes, nothing else does.
    monkeypatch.setattr(fetching, "refused", lambda address: address != "127.0.0.1" and real_refused(address))
    routes = {
        "/story": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/ok": (200, HTML, page("news.html")),
    }
    with serve(routes) as base:
        port = base.rsplit(":", 1)[1]
        assert fetch(f"http://news.example:{port}/ok").data == page("news.html")
        caught = problem(f"http://news.example:{port}/story")
    assert caught.code == "refused_address" and "169.254.169.254" in str(caught)


def test_only_http_addresses_without_credentials_are_fetched(guarded):
    for url in ("file:///etc/passwd", "ftp://example.org/", "gopher://x/", "http://user:pw@example.org/", "http://"):
        assert problem(url).code == "bad_url"


# ---- the limits --------------------------------------------------------------------------------------


def slow():
    time.sleep(3)
    return b"<p>late</p>"


ROUTES = {
    "/news": (200, HTML, page("news.html")),
    "/hop": (301, {"Location": "/news"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
    "/big": (200, HTML, b"<p>" + b"x" * 50_000 + b"</p>"),
    "/slow": (200, HTML, slow),
    "/gone": (410, HTML, b"gone"),
}


def test_a_page_is_fetched_and_redirects_followed(allow_private):
    with serve(ROUTES) as base:
        fetched = fetch(f"{base}/hop")
    assert fetched.url == f"{base}/news" and fetched.content_type == "text/html" and fetched.charset == "utf-8"


def test_each_limit_gives_one_clear_message(allow_private):
    allow_private.ARTICLE_FETCH_MAX_BYTES = 10_000
    allow_private.ARTICLE_FETCH_TIMEOUT = 0.5
    with serve(ROUTES) as base:
        cases = {
            "/missing": "http_error",
            "/gone": "http_error",
            "/loop": "too_many_redirects",
            "/image": "unsupported_type",
            "/big": "too_large",
            "/slow": "timeout",
        }
        found = {path: problem(base + path).code for path in cases}
    assert found == cases
    assert problem("http://no-such-host.invalid/").code == "unreachable"


def test_an_unreachable_port_is_reported(allow_private):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert problem(f"http://127.0.0.1:{port}/").code == "unreachable"


# ---- extraction --------------------------------------------------------------------------------------


def test_a_news_page_gives_its_metadata_and_body_without_boilerplate():
    draft = from_html(page("news.html"), url="http://127.0.0.1:8140/news?utm=1")
    assert draft.title == "Turnout claimed at 99.63% in local elections"
    assert draft.author == "Lee Min-ji"
    assert draft.published == dt.date(2023, 11, 28)
    assert draft.outlet == "NK Daily Monitor"
    assert draft.source_url == "https://nkmonitor.example/2023/11/turnout"
    assert draft.language == "en"
    for kept in ("99.63 percent of eligible voters", "A resident of Hyesan told the monitor", "declined to comment"):
        assert kept in draft.text
    for gone in (
        "cookies",
        "Share on",
        "Related articles",
        "rice prices",
        "what a joke",
        "All rights reserved",
        "Subscribe",
    ):
        assert gone not in draft.text, gone


def test_a_korean_page():
    draft = from_html(page("korean.html"))
    assert draft.title == "북한 지방선거 투표율 99.63% 주장"
    assert (draft.author, draft.outlet, draft.language) == ("김민수", "통일신문", "ko")
    assert draft.published == dt.date(2023, 11, 28)
    assert "혜산의 한 주민은" in draft.text
    assert "쿠키" not in draft.text and "관련 기사" not in draft.text and "공유" not in draft.text


def make_pdf(lines, *, title="", author="") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    if not lines:
        pdf.rect(10, 10, 50, 50)
    return bytes(pdf.output())


def test_a_pdf_gives_its_text_layer_and_document_information():
    data = make_pdf(
        ["Elections in the North: a briefing", "Turnout was reported at 99.63 percent by state media on Monday."],
        title="Briefing on local elections",
        author="Institute for Unification",
    )
    draft = from_pdf(data, name="briefing.pdf")
    assert draft.title == "Briefing on local elections" and draft.author == "Institute for Unification"
    assert "Turnout was reported at 99.63 percent" in draft.text


def test_bad_input_gets_one_clear_message_each():
    cases = {
        "no text layer": (make_pdf([]), "scan.pdf", "", "no_text"),
        "damaged pdf": (b"%PDF-1.4 garbage", "x.pdf", "", "bad_pdf"),
        "page without text": (b"<html><body><nav>Home</nav></body></html>", "x.html", "", "no_text"),
        "undeclared charset": ("<p>café</p>".encode("latin-1"), "x.html", "", "charset"),
        "wrong charset": ("<meta charset='utf-8'><p>café</p>".encode("latin-1"), "x.html", "", "charset"),
        "unknown charset": (b"<meta charset='klingon'><p>x</p>", "x.html", "", "charset"),
        "binary text": (b"\x00\x01", "x.txt", "", "bad_text"),
    }
    found = {}
    for name, (data, filename, charset, _) in cases.items():
        with pytest.raises(IngestProblem) as caught:
            extract(data, name=filename, charset=charset)
        found[name] = caught.value.code
        assert str(caught.value)
    assert found == {name: case[3] for name, case in cases.items()}


def test_a_declared_charset_is_honoured():
    data = page("news.html").decode().replace('charset="utf-8"', 'charset="iso-8859-1"')
    data = data.replace("Lee Min-ji", "Léa Dupré").encode("latin-1", errors="replace")
    assert from_html(data).author == "Léa Dupré"


def test_charsets_are_read_as_browsers_read_them():
    news = page("news.html").decode()
    # "euc-kr" pages are written in its superset (똠 is in CP949 only); browsers read x-euc-kr the same.
    for label in ("euc-kr", "x-euc-kr", "windows-949"):
        data = news.replace('charset="utf-8"', f'charset="{label}"').replace("Lee Min-ji", "이똠이")
        data = data.encode("cp949", "xmlcharrefreplace")
        assert from_html(data).author == "이똠이", label
    # "iso-8859-1" and "us-ascii" pages hold windows-1252's quotes, dashes and euro signs.
    for label in ("iso-8859-1", "us-ascii"):
        data = news.replace('charset="utf-8"', f'charset="{label}"')
        data = data.replace("North Korea's state media", "North Korea’s state media – for €5 –")
        text = from_html(data.encode("cp1252", "xmlcharrefreplace")).text
        assert "North Korea’s state media – for €5 –" in text, label
    # The five bytes windows-1252 leaves undefined are kept as browsers keep them, not refused.
    body = news.replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252", "xmlcharrefreplace")
    body = body.replace(b"Lee", b"Le\x81e")
    assert "Min-ji" in from_html(body).author
    # A name browsers do not know is refused as unknown, though Python has a codec of it; a page that calls
    # itself UTF-16 in its own <meta> is UTF-8 (its bytes say so); text called ASCII that is UTF-8 is read so.
    for label in ("undefined", "unicode_escape", "rot13"):
        with pytest.raises(IngestProblem, match="unknown charset"):
            from_html(news.replace('charset="utf-8"', f'charset="{label}"').encode())
    assert from_html(news.replace('charset="utf-8"', 'charset="utf-16"').encode()).author == "Lee Min-ji"
    assert extract("Ré sumé of the vote".encode(), name="a.txt", charset="us-ascii").text == "Ré sumé of the vote"


def test_a_host_name_in_another_script_and_a_path_as_the_address_bar_shows_it_are_fetched(allow_private, monkeypatch):
    real = socket.getaddrinfo
    seen = {}

    def resolving(host, *args, **kwargs):
        seen.setdefault("host", host)
        return real("127.0.0.1" if host == "xn--3e0b707e.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    with serve({"/%EB%B6%81%ED%95%9C/a%20b?q=%EB%B6%81": (200, HTML, page("news.html"))}) as base:
        port = base.rsplit(":", 1)[1]
        fetched = fetch(f"http://한국.example:{port}/북한/a b?q=북")
    assert seen["host"] == "xn--3e0b707e.example"
    assert b"Lee Min-ji" in fetched.data
    assert problem("http://a..b/").code in ("bad_url", "unreachable")
    assert fetching._split("http://faß.de/")[1] == "xn--fa-hia.de"  # as browsers write it, not "fass.de"
    assert problem("http://bad..한국/").code == "bad_url"


def test_a_home_page_given_as_canonical_address_is_not_the_article_s():
    news = page("news.html").decode()
    own = "https://nkmonitor.example/2023/11/turnout"
    assert f'rel="canonical" href="{own}"' in news, "the fixture declares its canonical address"
    home = news.replace(own, "https://nkmonitor.example/").encode()  # its canonical link and og:url
    assert (
        from_html(home, url="https://monitor.example/2023/11/vote").source_url == "https://monitor.example/2023/11/vote"
    )
    assert from_html(home).source_url == ""
    assert from_html(news.encode()).source_url.startswith("https://")


def test_a_photo_caption_is_part_of_the_text():
    # Captions say what claims quote ("in a photo released by KCNA"); extractors leave figures out.
    news = page("news.html").decode()
    figure = (
        '<figure><img src="/vote.jpg" alt=""><figcaption>Kim Jong Un casts his ballot, '
        "in a photo released by KCNA.</figcaption></figure>"
    )
    marker = "<p>North Korea's state media"
    assert marker in news
    text = from_html(news.replace(marker, figure + marker).encode()).text
    caption = text.index("Kim Jong Un casts his ballot, in a photo released by KCNA.")
    assert caption < text.index("North Korea's state media")
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + news.replace(marker, figure + marker)
    assert "in a photo released by KCNA" in from_html(xhtml.encode()).text  # an XHTML page's too


def test_a_pdf_s_text_comes_as_paragraphs_without_its_running_header_and_page_numbers():
    import io

    import pypdf
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, "Institute for Unification - Briefing 2023-11", new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 10, f"Page {self.page_no()}", align="C")

    paragraphs = [
        f"{n}. North Korea held elections of deputies to local people's assemblies on 26 November. State media "
        "reported a turnout of 99.63 percent of eligible voters, down from 99.98 percent four years earlier, and "
        f"for the first time in decades it reported that some had voted against the candidates (note {n})."
        if n % 2
        else f"{n}. According to the Central Election Committee, 0.09 percent of voters opposed candidates for "
        "provincial assemblies and 0.13 percent opposed those for city and county assemblies. Analysts in Seoul "
        "read the figures as a message to the outside world rather than a change in how elections are run."
        for n in range(1, 21)
    ]
    pdf = Report()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    for paragraph in paragraphs:  # justified, wrapped by the page, over two pages
        pdf.multi_cell(0, 6, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    data = bytes(pdf.output())
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 2
    text = from_pdf(data).text
    assert "Briefing 2023-11" not in text and "Page " not in text
    assert text.split() == " ".join(paragraphs).split()  # every word, in order, and nothing else
    found = text.split("\n\n")
    # No paragraph is cut in two, and nearly all are told apart (a last line that fills the width looks like
    # any other line).
    assert all(any(paragraph in whole for whole in found) for paragraph in paragraphs)
    assert len(found) >= 0.75 * len(paragraphs), len(found)


@pytest.mark.parametrize(
    "title, body",
    [
        ("Page not found", "<p>Sorry, we couldn't find that page. It may have moved, or the address may be wrong.</p>"),
        (
            "NK Daily Monitor",
            "<p>We use cookies to improve your experience. Accept all cookies to continue reading "
            "this site, or manage your preferences in the settings.</p>",
        ),  # fmt: skip
    ],
)
def test_an_error_or_consent_page_answered_with_200_is_not_an_article(title, body):
    html = f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    with pytest.raises(IngestProblem) as caught:
        from_html(html.encode())
    assert caught.value.code == "no_text" and "not an article" in str(caught.value)
    # A real article that mentions cookies, at an article's length, is one; so is a short brief whose
    # words an error page might use.
    article = page("news.html").decode().replace("</article>", "<p>The ministry's site sets cookies.</p></article>")
    assert "cookies" in from_html(article.encode()).text
    brief = (
        "<html><head><title>Boat missing off Sinpo</title></head><body><article><p>Rescuers could not find the "
        "fishing boat that went missing off Sinpo on Monday, the coast guard said.</p><p>The search resumes at "
        "dawn; the consent of the North is needed to enter its waters.</p></article></body></html>"
    )
    assert "could not find the fishing boat" in from_html(brief.encode()).text


def test_only_lines_that_run_through_the_pages_are_left_out():
    from ingest.extract import pdf_paragraphs

    body = "The delegates met again in the morning and the debate went on until the evening session closed."
    pages = [f"Annual Review 2023\nDay {n}\n{body}\n(Applause)\n{body}\n- {n} -" for n in range(1, 5)]
    pages.append(f"(Applause)\n{body}\n(Applause)")  # at the edges of a page with no running lines
    text = pdf_paragraphs(pages)
    # The running title and the page numbers go; each page's own heading, and lines that merely recur, stay.
    assert "Annual Review 2023" not in text and "- 3 -" not in text
    assert all(f"Day {n}" in text for n in range(1, 5)) and text.count("(Applause)") == 6
