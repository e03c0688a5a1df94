"""import_articles: normalisation, manifests, idempotence and every kind of bad input."""

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from corpus.importing import decode, guess_metadata
from corpus.models import Article, Outlet

SEED = Path(__file__).resolve().parent.parent / "corpus" / "seed"
pytestmark = pytest.mark.django_db


def run(*args):
    """Run the command; return (ok, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, args), "--no-progress", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_seed_corpus_imports_with_its_manifest():
    ok, out, _ = run(SEED)
    assert ok, out
    assert "5 created, 0 unchanged, 0 failed" in out
    yonhap = Article.objects.get(slug="n-korea-reports-1st-opposing-votes-in-local-elections-in-decades")
    assert yonhap.outlet.name == "Yonhap (carried by another site)"
    assert yonhap.published == dt.date(2024, 6, 1)
    assert "The voter turnout was recorded at 99.63 percent." in yonhap.text
    asiapress = Article.objects.get(outlet__name="ASIAPRESS")
    assert asiapress.author == "KANG Ji-won / ISHIMARU Jiro"
    assert asiapress.published is None  # the manifest says undated; the caption's date is not guessed
    assert set(Outlet.objects.values_list("name", flat=True)) == {
        "NK Times",
        "Yonhap (carried by another site)",
        "ASIAPRESS",
        "Blog post (unnamed blog)",
        "Reuters (carried by another site)",
    }


def test_reimport_is_reported_unchanged_and_duplicates_nothing():
    run(SEED)
    stored = list(Article.objects.values_list("pk", "updated"))
    ok, out, _ = run(SEED)
    assert ok
    assert "0 created, 5 unchanged, 0 failed" in out
    assert list(Article.objects.values_list("pk", "updated")) == stored


def test_text_is_normalised_to_nfc_and_unix_newlines(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Café 북한")
    (tmp_path / "a.txt").write_bytes(("\ufeffTitle line\r\n\r\n" + decomposed + "\rend\r\n").encode())
    ok, *_ = run(tmp_path / "a.txt")
    assert ok
    article = Article.objects.get()
    assert article.text == "Title line\n\nCafé 북한\nend\n"
    assert unicodedata.is_normalized("NFC", article.text)
    assert article.title == "Title line"


def test_same_text_in_another_encoding_form_is_the_same_article(tmp_path):
    (tmp_path / "nfc.txt").write_text("Café\n", encoding="utf-8")
    (tmp_path / "nfd.txt").write_bytes(unicodedata.normalize("NFD", "Café\r\n").encode())
    ok, out, _ = run(tmp_path)
    assert ok
    assert "1 created, 1 unchanged" in out
    assert Article.objects.count() == 1


def test_metadata_is_guessed_without_a_manifest(tmp_path):
    (tmp_path / "x.txt").write_text(
        "North Korea cites rare dissent\n22 February 2024, Thursday\n\nBody.", encoding="utf-8"
    )
    run(tmp_path)
    article = Article.objects.get()
    assert article.title == "North Korea cites rare dissent"
    assert article.published == dt.date(2024, 2, 22)
    assert article.outlet is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SEOUL (Nov. 28, 2023) - In a rare move", dt.date(2023, 11, 28)),
        ("Posted 2024-06-01 20:51:45", dt.date(2024, 6, 1)),
        ("On 3 September 2023 the committee", dt.date(2023, 9, 3)),
        ("Sept. 4, 2023", dt.date(2023, 9, 4)),
        ("12/11/2023 22:31 is ambiguous", None),
    ],
)
def test_date_guesses(text, expected):
    assert guess_metadata("Title\n" + text, Path("x.txt"))["published"] == expected


def test_hangul_text_is_guessed_korean():
    assert guess_metadata("북한 지방 선거 투표율 99.63%", Path("k.txt"))["language"] == "ko"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\r\n\t", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("caf\xe9 au lait".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 3)"),
    ],
)
def test_bad_files_fail_with_one_clear_line_and_store_nothing(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    (tmp_path / "good.txt").write_text("A good article.\n", encoding="utf-8")
    ok, out, err = run(tmp_path)
    assert not ok
    assert f"error: {bad}: {reason}" in err
    assert "1 created, 0 unchanged, 1 failed" in err
    assert list(Article.objects.values_list("source_file", flat=True)) == ["good.txt"]


def test_decode_refuses_undecodable_bytes():
    with pytest.raises(Exception, match="not valid UTF-8"):
        decode(b"ok \xff\xfe")


def test_missing_path_fails_and_others_still_import(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    ok, out, err = run(tmp_path / "nope.txt", tmp_path / "a.txt")
    assert not ok
    assert f"error: {tmp_path / 'nope.txt'}: no such file or folder" in err
    assert Article.objects.count() == 1


MANIFEST_CASES = [
    ("files = [", "manifest is not valid TOML"),
    ('[files."a.txt"]\ntitel = "typo"\n', "unknown field(s) titel"),
    ('[files."a.txt"]\npublished = "last week"\n', "published must be a date"),
    ('[files."a.txt"]\ntitle = 3\n', "title must be a string"),
    ('[article]\ntitle = "x"\n', "unknown top-level key(s) article"),
]


@pytest.mark.parametrize(("manifest", "reason"), MANIFEST_CASES)
def test_malformed_manifest_fails_its_folder_and_stores_nothing(tmp_path, manifest, reason):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(manifest, encoding="utf-8")
    ok, out, err = run(tmp_path)
    assert not ok
    assert f"error: {tmp_path / 'manifest.toml'}: " in err
    assert reason in err
    assert Article.objects.count() == 0


def test_manifest_naming_a_missing_file_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text('[files."b.txt"]\ntitle = "B"\n', encoding="utf-8")
    ok, out, err = run(tmp_path)
    assert not ok
    assert "names 'b.txt', which is not in the folder" in err


def test_explicit_manifest_applies_to_named_files(tmp_path):
    (tmp_path / "a.txt").write_text("First line\nText.", encoding="utf-8")
    manifest = tmp_path / "meta.toml"
    manifest.write_text('[files."a.txt"]\ntitle = "Real title"\noutlet = "KCNA Watch"\npublished = 2023-11-28\n')
    ok, *_ = run(tmp_path / "a.txt", "--manifest", manifest)
    assert ok
    article = Article.objects.get()
    assert (article.title, article.outlet.name, article.published) == (
        "Real title",
        "KCNA Watch",
        dt.date(2023, 11, 28),
    )


def test_hidden_files_and_the_manifest_itself_are_not_articles(tmp_path):
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text('[files."a.txt"]\ntitle = "A"\n', encoding="utf-8")
    ok, out, _ = run(tmp_path)
    assert ok
    assert "1 created" in out
    ok, _, err = run(tmp_path / "manifest.toml")
    assert not ok and "is a manifest, not an article" in err


def test_slugs_stay_unique_for_equal_titles(tmp_path):
    (tmp_path / "a.txt").write_text("Same title\nOne.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Same title\nTwo.", encoding="utf-8")
    run(tmp_path)
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same-title", "same-title-2"]


def test_a_title_in_another_script_gives_a_readable_address(tmp_path):
    (tmp_path / "ko.txt").write_text("북한 지방선거 투표율 99.63% 주장\n본문.", encoding="utf-8")
    (tmp_path / "ru.txt").write_text("Выборы в КНДР\nТекст.", encoding="utf-8")
    run(tmp_path)
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "bughan-jibangseongeo-tupyoyul-9963-jujang",
        "vybory-v-kndr",
    ]


def test_progress_bar_is_shown_for_many_files(tmp_path):
    from io import StringIO

    for i in range(25):
        (tmp_path / f"{i:02}.txt").write_text(f"Article {i}\nBody {i}.", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_articles", str(tmp_path), stdout=out, stderr=err)
    assert "0/25 [" in err.getvalue()
    assert "25 created" in out.getvalue()


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ('source_url = "javascript:alert(1)"', "source_url must be an http(s) address"),
        ('outlet_homepage = "not a url"', "outlet_homepage must be an http(s) address"),
        (f'title = "{"x" * 501}"', "title is longer than 500 characters"),
    ],
)
def test_manifest_values_are_checked_before_anything_is_stored(tmp_path, entry, reason):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text(f'[files."a.txt"]\n{entry}\n', encoding="utf-8")
    ok, _, err = run(tmp_path)
    assert not ok and reason in err
    assert Article.objects.count() == 0


# ---- size -------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_fails_before_it_is_read(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: the size is all that is checked
        handle.truncate(6_000_000)
    (tmp_path / "good.txt").write_text("A good article.\n", encoding="utf-8")
    ok, out, err = run(tmp_path)
    assert not ok
    assert f"error: {big}: too large (6,000,000 bytes; the limit is 5,000,000)" in err
    assert list(Article.objects.values_list("source_file", flat=True)) == ["good.txt"]


def test_the_limit_can_be_changed(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("Title\n" + "word " * 400, encoding="utf-8")
    ok, _, err = run(text, "--max-bytes", "1000")
    assert not ok and "too large (2,006 bytes; the limit is 1,000)" in err
    assert not Article.objects.exists()
    ok, *_ = run(text, "--max-bytes", "3000")
    assert ok and Article.objects.count() == 1
    ok, _, err = run(text, "--max-bytes", "0")
    assert not ok and "--max-bytes must be at least 1" in err


def test_a_file_that_grows_while_it_is_read_is_still_cut_off(tmp_path):
    """A pipe has no size to check beforehand: the read itself stops at the limit."""
    import contextlib
    import os
    import threading

    from corpus.importing import Candidate, import_file

    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)

    def write():
        with contextlib.suppress(BrokenPipeError), pipe.open("wb") as handle:
            handle.write(b"Title\n" + b"x" * 50_000)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        result = import_file(Candidate(pipe), max_bytes=1_000)
    finally:
        if writer.is_alive():  # a writer still waiting for a reader: open and close the pipe to let it end
            os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=10)
    assert (result.status, result.reason) == ("failed", "too large (more than 1,000 bytes; the limit is 1,000)")
    assert not Article.objects.exists()


# ---- the manifest's outlet -----------------------------------------------------------------------------


def test_an_outlet_of_white_space_is_no_outlet(tmp_path):
    (tmp_path / "a.txt").write_text("A\nText.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B\nText.", encoding="utf-8")
    manifest = '[files."a.txt"]\noutlet = "  \\t "\n[files."b.txt"]\noutlet = "  Yonhap  "\n'
    (tmp_path / "manifest.toml").write_text(manifest, encoding="utf-8")
    ok, *_ = run(tmp_path)
    assert ok
    assert Article.objects.get(source_file="a.txt").outlet is None
    assert Article.objects.get(source_file="b.txt").outlet.name == "Yonhap"
    assert list(Outlet.objects.values_list("name", flat=True)) == ["Yonhap"]
