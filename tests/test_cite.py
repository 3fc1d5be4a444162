"""The "Cite this change" block and the stated-date finder: parsing, flags, Wayback URLs, escaping."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import markdown
import pytest
from bs4 import BeautifulSoup

from clausewatch.models import Provenance, Version
from clausewatch.site.cite import (
    build_citation,
    change_facts,
    clause_tools,
    render_bibtex,
    render_fact_box,
    render_plain,
    wayback_urls,
)
from clausewatch.site.effective_date import check_stated_date, find_stated_date, find_stated_dates
from clausewatch.site.escape import html_text


def make_version(text: str, when: datetime, *, url: str = "https://acme.example/terms", name: str = "Acme",
                 commit: str = "a" * 40, sha: str = "b" * 64) -> Version:
    return Version(
        service="acme",
        document="terms-of-service",
        commit=commit,
        observed_at=when,
        text=text,
        provenance=Provenance(source_url=url, fetched_at=when, http_status=200, snapshot_sha256=sha),
        service_name=name,
        document_name="Terms of Service",
    )


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("# Terms\n\n**Last updated:** March 3, 2026\n\nHello", "updated", date(2026, 3, 3)),
        ("Effective Date: 1 January 2025.", "effective", date(2025, 1, 1)),
        ("These terms are effective as of 2024-11-05.", "effective", date(2024, 11, 5)),
        ("_Last modified on Sept. 9th, 2023_", "updated", date(2023, 9, 9)),
        ("Last Revised: 12/31/2022", "updated", date(2022, 12, 31)),
        ("Date of last revision: 31.12.2022", "updated", date(2022, 12, 31)),
        ("These Terms take effect on May 20, 2026.", "effective", date(2026, 5, 20)),
    ],
)
def test_finds_stated_dates_in_the_shapes_documents_use(text: str, kind: str, expected: date) -> None:
    stated = find_stated_date(text)
    assert stated is not None
    assert (stated.kind, stated.date) == (kind, expected)
    assert stated.date.strftime("%Y") in stated.phrase or str(stated.date.year) in stated.phrase


def test_no_date_and_impossible_dates_give_nothing() -> None:
    assert find_stated_date("We updated our approach to privacy. Effective immediately.") is None
    assert find_stated_date("Last updated: February 30, 2026") is None
    assert find_stated_dates("") == []


def test_later_of_updated_and_effective_wins() -> None:
    stated = find_stated_date("Last updated: March 1, 2026. Effective date: April 1, 2026.")
    assert stated is not None and stated.kind == "effective" and stated.date == date(2026, 4, 1)


def test_date_checks_flag_back_dating_and_stale_dates() -> None:
    observed = datetime(2026, 3, 10, 12, tzinfo=UTC)
    before = datetime(2026, 3, 5, 12, tzinfo=UTC)
    jan = find_stated_date("Last updated: January 2, 2026")
    feb = find_stated_date("Last updated: February 2, 2026")
    mar = find_stated_date("Last updated: March 8, 2026")
    apr = find_stated_date("Effective date: April 1, 2026")
    back = check_stated_date(observed, feb, previous_observed_at=before, previous_stated=jan)
    assert back.status == "back-dated" and back.disagrees and "2026-03-05" in back.message
    stale = check_stated_date(observed, jan, previous_observed_at=before, previous_stated=jan)
    assert stale.status == "not-updated" and stale.disagrees
    cosmetic = check_stated_date(observed, jan, previous_observed_at=before, previous_stated=jan,
                                 substantive=False)
    assert cosmetic.status == "agrees"
    fresh = check_stated_date(observed, mar, previous_observed_at=before, previous_stated=jan)
    assert fresh.status == "agrees"
    assert check_stated_date(observed, apr).status == "future"
    assert check_stated_date(observed, None).status == "missing"
    assert not check_stated_date(observed, None).disagrees


def test_wayback_urls_are_constructed_from_the_observation_time() -> None:
    when = datetime(2026, 3, 10, 7, 8, 9, tzinfo=UTC)
    calendar, nearest = wayback_urls("https://acme.example/terms?lang=en", when)
    assert calendar == "https://web.archive.org/web/20260310*/https://acme.example/terms?lang=en"
    assert nearest == "https://web.archive.org/web/20260310070809/https://acme.example/terms?lang=en"
    assert wayback_urls("javascript:alert(1)", when) == ("", "")
    assert wayback_urls("file:///etc/passwd", when) == ("", "")
    assert wayback_urls("https://acme.example/a b", when) == ("", "")
    accented, _ = wayback_urls("https://acme.example/conditions-générales", when)
    assert accented.endswith("/conditions-g%C3%A9n%C3%A9rales")


def test_citation_carries_provenance_and_flags_a_back_dated_change() -> None:
    old = make_version("Last updated: January 2, 2026\n\nOld words.", datetime(2026, 3, 5, tzinfo=UTC))
    new = make_version("Last updated: February 2, 2026\n\nNew words.", datetime(2026, 3, 10, 9, tzinfo=UTC),
                       commit="c" * 40)
    citation = build_citation(new, permalink="https://watch.example/acme/terms-of-service/2026-03-10/",
                              previous=old)
    assert citation.check.status == "back-dated"
    assert citation.commit == "c" * 40 and citation.snapshot_sha256 == "b" * 64
    plain = render_plain(citation)
    assert "https://watch.example/acme/terms-of-service/2026-03-10/" in plain
    assert "c" * 40 in plain and "b" * 64 in plain and "2026-03-10 09:00 UTC" in plain
    bib = render_bibtex(citation)
    assert bib.startswith("@misc{clausewatch-cccccccccccc,") and bib.count("{") == bib.count("}")
    block = render_fact_box(citation)
    assert "cw-date-flag--warn" in block
    hrefs = [a["href"] for a in BeautifulSoup(block, "html.parser").find_all("a")]
    assert "https://web.archive.org/web/20260310*/https://acme.example/terms" in hrefs
    assert "https://web.archive.org/web/20260310090000/https://acme.example/terms" in hrefs
    assert "https://watch.example/acme/terms-of-service/2026-03-10/" in hrefs
    texts = [pre.get_text() for pre in BeautifulSoup(block, "html.parser").select("pre.cw-cite-text")]
    assert texts == [plain, bib]  # what the copy buttons copy is exactly the citation


HOSTILE = '<script>alert(1)</script>{--x--}{++y++}[a](javascript:alert(2)){ onclick="z" }'


def test_hostile_archive_values_never_become_markup() -> None:
    when = datetime(2026, 3, 10, tzinfo=UTC)
    version = make_version(f"Last updated: {HOSTILE} March 1, 2026", when, url="javascript:alert(3)",
                           name=HOSTILE, commit='"><img src=x onerror=alert(4)>', sha="}{\\")
    citation = build_citation(version, permalink="/acme/terms-of-service/2026-03-10/")
    block = render_fact_box(citation)
    md = markdown.Markdown(extensions=["attr_list", "md_in_html", "pymdownx.critic", "admonition", "toc"])
    rendered = md.convert(f"# Page\n\n{block}\n")
    for live in ("<script", "<img", "onclick=", "onerror=", "<del", "<ins", 'href="javascript'):
        assert live not in rendered.lower(), live
    assert "wayback" not in block and "web.archive.org" not in block  # no link for a non-web URL
    assert "&lt;script&gt;" in rendered  # the words are still shown, as text
    bib = render_bibtex(citation)
    assert bib.count("{") == bib.count("}")
    assert re.search(r"\\(?!url)", bib) is None


def test_escape_html_neutralises_markdown_syntax() -> None:
    assert html_text("{++a++}") == "&#123;&#43;&#43;a&#43;&#43;&#125;"
    assert html_text("<b>&") == "&lt;b&gt;&amp;"


def test_change_facts_use_the_site_config() -> None:
    when = datetime(2026, 3, 10, tzinfo=UTC)
    version = make_version("Effective date: March 10, 2026", when)
    block = change_facts(version, None, "acme/terms-of-service/2026-03-10/",
                         {"site_url": "https://watch.example/sub/", "site_name": "Watch",
                          "repo_url": "https://github.com/watch/archive"})
    soup = BeautifulSoup(block, "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert "https://watch.example/sub/acme/terms-of-service/2026-03-10/" in hrefs
    assert f"https://github.com/watch/archive/commit/{'a' * 40}" in hrefs
    facts = soup.select_one("#facts")
    assert facts["data-cw-permalink"] == "https://watch.example/sub/acme/terms-of-service/2026-03-10/"
    assert facts["data-cw-site"] == "Watch" and facts["data-cw-commit"] == "a" * 40
    assert soup.select_one("pre.cw-cite-plain").get_text().startswith("Watch. ")
    relative = BeautifulSoup(change_facts(version, None, "acme/x/2026-03-10/"), "html.parser")
    assert "/acme/x/2026-03-10/" in [a["href"] for a in relative.find_all("a")]
    assert not [a for a in relative.find_all("a") if "/commit/" in a["href"]], "no repository: no commit link"


def test_clause_tools_name_their_anchor_inertly() -> None:
    tools = BeautifulSoup(clause_tools('x"><script>'), "html.parser")
    button = tools.select_one("button.cw-cite-clause")
    assert button["data-cw-anchor"] == 'x"><script>' and not tools.find("script")
