"""Take the README's screenshots from a running demo (`make run`): each page at 1440 px and at 390 px.

    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]

Drives Debian's Chromium (/usr/bin/chromium) through Playwright, signed in as the demo accounts.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
DOCS = Path(__file__).resolve().parent
ARTICLE = "/articles/inside-n-korea-the-major-changes-surrounding-the-november-26-elections-1/"
SHOTS = [  # (file name, account, path, what to do before the picture)
    ("screenshot", "reviewer", ARTICLE, "panel"),
    ("dashboard", "editor", "/dashboard/", None),
    ("review", "editor", "/review/", None),
]
WIDTHS = {"": (1440, 900), "-phone": (390, 844)}


def sign_in(page, who: str) -> None:
    page.goto(f"{BASE}/accounts/login/")
    page.fill("#id_username", who)
    page.fill("#id_password", who)
    page.get_by_role("button", name="Sign in").click()


def open_tag_panel(page) -> None:
    """Select a sentence as a reviewer would, so the picture shows the tag panel too."""
    page.evaluate(
        """() => {
          const root = document.getElementById("article-text");
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const phrase = "watching the entrance to the ballot station";
            const at = node.data.indexOf(phrase);
            if (at >= 0) {
              getSelection().setBaseAndExtent(node, at, node, at + phrase.length);
              const top = getSelection().getRangeAt(0).getBoundingClientRect().top;
              window.scrollBy({ top: top - window.innerHeight * 0.3, behavior: "instant" });
              document.dispatchEvent(new CustomEvent("text-selected"));
              return;
            }
          }
        }"""
    )
    page.wait_for_timeout(300)


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for suffix, (width, height) in WIDTHS.items():
        for name, who, path, action in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            page = context.new_page()
            sign_in(page, who)
            page.goto(BASE + path)
            if action == "panel":
                open_tag_panel(page)
            page.screenshot(path=DOCS / f"{name}{suffix}.png")
            context.close()
    browser.close()
