"""A built site shows archived Markdown as formatting: no literal `**` or `](` anywhere a reader looks.

A small workspace whose history carries bold, italics, links, code, escapes, entities and a pipe table is
built for real (MkDocs, nh3, Pagefind); `scripts/count_literal_markup.py` counts the syntax left in the
visible text of every page and feed. The word-diff cards of change pages are counted apart: their
rendering is `site/diff_markdown.py`'s.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from site_workspace import START, new_workspace, record

from clausewatch.site.build import build_site

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from count_literal_markup import count_site  # noqa: E402

TERMS_V1 = """# Acme Terms

## 1. **Customer Content**

**Notwithstanding the above, we will never sell your data without your consent.**

You own *your* content. Read our [privacy policy](https://acme.example/privacy "Privacy") and the
_cookie notice_; [write to us](mailto:legal@acme.example) or see [the FAQ](javascript:alert(1)).

| Data | Retention |
| --- | --- |
| **E-mail** | *   Until you close your account<br>*   [or sooner](https://acme.example/delete) |
| Logs | 30 \\| 60 days |

## 2. *Fees*

Prices are `net` of tax: 5 \\* 3 &amp; more, see <https://acme.example/prices>.
"""

TERMS_V2 = TERMS_V1.replace(
    "You own *your* content.",
    "You grant Acme a **perpetual** licence to use *your* content to train **machine learning** and "
    "[artificial intelligence](https://acme.example/ai) models.",
).replace("| Logs | 30 \\| 60 days |", "| Logs | **forever** |").replace("## 2. *Fees*", "## 2. *Fees* and **Taxes**")

TERMS_V3 = TERMS_V2.replace("**Notwithstanding the above, we will never sell",
                            "**Notwithstanding the above, we may share")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("markup") / "ws"
    workspace = new_workspace(root)
    for day, text in enumerate([TERMS_V1, TERMS_V2, TERMS_V3]):
        record(workspace, "acme/terms", text, START + timedelta(days=day), service_name="Acme Cloud",
               document_name="Terms")
    with contextlib.redirect_stderr(io.StringIO()):
        return build_site(workspace, root / "site")


def test_no_literal_markdown_outside_the_diff_cards(site: Path) -> None:
    assert "**" in TERMS_V1 and "](" in TERMS_V1
    totals = count_site(site)
    assert {"document pages", "change pages", "as-of pages", "topic pages", "feeds"} <= set(totals)
    shown = {kind: dict(counts) for kind, counts in totals.items() if "diff cards" not in kind}
    assert all(not any(counts.values()) for counts in shown.values()), shown


def test_document_page_shows_formatting(site: Path) -> None:
    page = (site / "acme/terms/index.html").read_text(encoding="utf-8")
    # a paragraph in bold is a heading clause (clauses.py): shown as a heading, in plain text
    assert ">Notwithstanding the above, we may share your data without your consent<" in page
    assert "<strong>perpetual</strong> licence" in page
    assert '<a href="https://acme.example/privacy">privacy policy</a>' in page
    assert "<em>cookie notice</em>" in page and "<code>net</code>" in page
    assert "5 * 3 &amp; more" in page
    assert "write to us" in page and "mailto:" not in page.split('class="md-content"')[1].split("</article>")[0]
    assert "javascript:" not in page
    assert re.search(r'<table id="data-[a-z0-9-]+">', page)  # a clause of its own: its anchor on the table
    assert "<td>• Until you close your account<br/>• " in page.replace("<br>", "<br/>")
    assert "<td>Logs</td><td><strong>forever</strong></td>" in page
    # the heading and its table of contents entry, in plain text
    assert '<h4 id="customer-content">1. Customer Content<' in page
    assert '"md-nav__link">\n<span class="md-ellipsis">\n1. Customer Content\n' in page
    assert '<h4 id="fees-and-taxes">2. Fees and Taxes<' in page


def test_feed_entries_show_formatting(site: Path) -> None:
    feed = (site / "feeds/acme/terms.atom.xml").read_text(encoding="utf-8")
    assert "&lt;strong&gt;perpetual&lt;/strong&gt;" in feed
    assert "**" not in feed and "](" not in feed


def test_topic_excerpts_show_the_plain_text(site: Path) -> None:
    page = (site / "topics/ai-training/index.html").read_text(encoding="utf-8")
    assert "machine learning" in page and "**" not in page
