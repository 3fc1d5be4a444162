"""The clause diff: alignment, word diff, classification, summary, renderers and the `diff` command."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner
from golden import assert_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from clausewatch.cli import cli
from clausewatch.diff.align import align_clauses
from clausewatch.diff.clauses import split_clauses
from clausewatch.diff.compare import diff_texts
from clausewatch.diff.markup import plain_text
from clausewatch.diff.render import (
    diff_to_json,
    render_text,
    summary_line,
)
from clausewatch.diff.sections import clause_changes
from clausewatch.diff.topics import load_topics, tag_diff
from clausewatch.diff.words import diff_words, new_text, old_text
from clausewatch.site.archived import DEL_OPEN, INS_OPEN
from clausewatch.site.diff_markdown import render_markdown
from clausewatch.site.escape import admonition_title, markdown_text

OLD = """# Confero Terms of Service

Last updated: 1 March 2026.

## 1. Your Content

You own the content you upload. We use it only to provide the Service to you.

## 2. Fees

2.1 Fees are billed monthly in advance.

2.2 Taxes are extra. Refunds are not given for partial months of service.

## 3. Privacy

See our [Privacy Policy](https://confero.example/privacy?utm_source=terms&utm_medium=web).

## 4. Governing Law

These terms are governed by the laws of Ireland.
"""

NEW = """# Confero Terms of Service

Last updated: 1 March 2026.

## 1. Governing Law

These terms are governed by the laws of Ireland.

## 2. Your Content

You own the content you upload. You grant us a perpetual, worldwide, sublicensable licence to use it \
for machine learning, artificial intelligence and training.

## 3. Fees

3.1 Fees are billed monthly in advance.

3.2 Taxes are extra.

3.3 Refunds are not given for partial months of service.

## 4. Privacy

See our [Privacy Policy](https://confero.example/privacy?utm_source=footer&utm_medium=email).

## 5. Arbitration

Disputes are settled by binding arbitration.
"""

SITE_EXTENSIONS = ["attr_list", "md_in_html", "toc", "admonition", "pymdownx.details", "tables", "pymdownx.critic",
                   "pymdownx.caret", "pymdownx.tilde", "pymdownx.mark", "pymdownx.superfences"]


def changes_by_id(diff) -> dict[str, object]:
    """The clause-level changes of a diff (each section's parts), by clause id."""
    return {(c.before or c.after).id: c for c in clause_changes(diff.changes)}


def sections_by_id(diff) -> dict[str, object]:
    return {(c.before or c.after).id: c for c in diff.changes}


@pytest.fixture(scope="module")
def sample_diff():
    return diff_texts(OLD, NEW)


def test_sample_changes(sample_diff) -> None:
    changes = changes_by_id(sample_diff)
    assert changes["governing-law"].kind == "moved" and not changes["governing-law"].words
    assert "these-terms-are-governed-by-the" not in changes, "moved along with its heading"
    licence = changes["you-own-the-content-you-upload"]
    assert licence.kind == "modified" and licence.change_class == "substantive"
    inserted = " ".join(op.text for op in licence.words if op.op == "insert")
    assert "sublicensable licence" in inserted and "training" in inserted
    split = changes["taxes-are-extra-refunds-are-not"]
    assert split.kind == "split" and split.after.id == "taxes-are-extra"
    assert [c.id for c in split.others] == ["refunds-are-not-given-for-partial"]
    assert split.change_class == "cosmetic", "a split that keeps every word changes nothing a reader reads"
    assert changes["see-our-privacy-policy"].change_class == "links"
    assert changes["arbitration"].kind == "added"
    assert "fees-are-billed-monthly-in-advance" not in changes, "renumbered only: not a change"
    assert "fees" not in changes
    summary = sample_diff.summary
    assert summary.renumbered == 4, "sections renumbered: governing law, content, fees, privacy"
    assert summary.links == 1 and summary.moved == 1 and summary.added == 1


def test_sections_are_the_unit_of_a_change(sample_diff) -> None:
    sections = sections_by_id(sample_diff)
    arbitration = sections["arbitration"]
    assert arbitration.kind == "added" and arbitration.change_class == "substantive"
    assert arbitration.after.heading == "Arbitration" and arbitration.after.number == "5."
    assert arbitration.after.text == "Disputes are settled by binding arbitration."
    assert [p.kind for p in arbitration.parts] == ["added", "added"]
    content = sections["your-content"]
    assert content.kind == "modified" and content.change_class == "substantive" and content.renumbered
    assert [p.after.id for p in content.parts] == ["you-own-the-content-you-upload"]
    fees = sections["fees"]
    assert fees.change_class == "cosmetic" and [p.kind for p in fees.parts] == ["split"]
    assert sections["governing-law"].kind == "moved" and sections["governing-law"].change_class == "cosmetic"


def test_identical_texts_give_no_change() -> None:
    diff = diff_texts(OLD, OLD)
    assert diff.changes == () and summary_line(diff.summary) == "no changes"
    assert len(diff.before) == len(diff.after) == len(split_clauses(OLD))


def test_renumbering_only_is_counted_not_reported() -> None:
    renumbered = OLD.replace("## 1.", "## 5.").replace("2.1 ", "6.1 ").replace("2.2 ", "6.2 ")
    diff = diff_texts(OLD, renumbered)
    assert diff.changes == ()
    assert diff.summary.renumbered == 1, "sections count: 2.1 and 2.2 are clauses of section 2, which kept its number"
    assert summary_line(diff.summary) == "1 clause renumbered"


def test_merge_is_detected() -> None:
    old = "Taxes are extra and are added to every invoice.\n\nRefunds are never given for partial months.\n"
    new = "Taxes are extra and are added to every invoice. Refunds are never given for partial months.\n"
    (change,) = diff_texts(old, new).changes
    assert change.kind == "merged" and len(change.others) == 1
    assert change.change_class == "cosmetic"


def test_added_and_removed_only() -> None:
    diff = diff_texts("", "We may sell your personal data.\n")
    assert [(c.kind, c.change_class) for c in diff.changes] == [("added", "substantive")]
    diff = diff_texts("We may sell your personal data.\n", "")
    assert [(c.kind, c.change_class) for c in diff.changes] == [("removed", "substantive")]


def test_alignment_prefers_same_text_over_same_id() -> None:
    old = split_clauses("You agree to pay.\n\nYou agree to arbitrate.\n")
    new = split_clauses("You agree to arbitrate.\n")
    pairings = align_clauses(old, new)
    assert {(p.kind, p.old, p.new) for p in pairings} == {("match", (1,), (0,)), ("removed", (0,), ())}


def test_word_diff_roundtrip_and_grouping() -> None:
    a = "We may use your content for the service."
    b = "We may use, license and sublicense your content for AI training."
    ops = diff_words(a, b)
    assert old_text(ops) == a and new_text(ops) == b
    assert ("delete", "the service") in [(op.op, op.text) for op in ops]
    assert diff_words(a, a) == (diff_words(a, a)[0],) and diff_words("", "") == ()
    assert diff_words(a, b) == ops, "deterministic"


def test_summary_line_wording(sample_diff) -> None:
    line = summary_line(sample_diff.summary)
    s = sample_diff.summary
    assert line.startswith(f"{s.modified} clauses changed, {s.added} added")
    assert line.endswith(f"{s.renumbered} renumbered")


def test_render_text_marks_words_and_numbers(sample_diff) -> None:
    text = render_text(sample_diff)
    assert "{+You grant us a perpetual, worldwide, sublicensable licence to+}" in text
    assert "[-only to provide the Service to you-]" in text
    assert "== moved (cosmetic): 4. → 1. Governing Law  #governing-law" in text
    assert_golden("diff/sample.txt", text)


def test_render_markdown_is_valid_and_anchored(sample_diff) -> None:
    page = render_markdown(sample_diff, anchor_prefix="c-")
    html = markdown.markdown(page, extensions=SITE_EXTENSIONS)
    assert 'id="c-you-own-the-content-you-upload"' in html and 'id="c-your-content"' in html
    assert (f"{INS_OPEN}You grant us a perpetual, worldwide, sublicensable licence to</ins>" in html)
    assert f"{DEL_OPEN}only to provide the Service to you</del>" in html
    assert "other clauses unchanged" in html
    assert_golden("diff/sample.md", page)


def test_json_shape(sample_diff) -> None:
    data = diff_to_json(sample_diff)
    assert set(data) == {"changes", "summary"}
    assert {"substantive", "cosmetic", "links", "renumbered", "moved"} <= set(data["summary"])
    for change in data["changes"]:
        assert {"kind", "class", "before", "after", "topics"} <= set(change)
        assert change["class"] in ("substantive", "cosmetic", "links")
        for side in ("before", "after"):
            assert change[side] is None or set(change[side]) == {"id", "number", "heading", "text"}
    json.dumps(data)
    assert_golden("diff/sample.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](x){ onerror=alert(1) }",
    '<div markdown="1"><svg onload=alert(1)></svg></div>',
    "{-- critic --}{++ add ++}{~~a~>b~~}",
    "**bold** _em_ `code` ~~strike~~ ^^sup^^ ==mark==",
    "# not a heading { #evil }",
    "1. not a list | not | a table |",
    "&lt;script&gt; &amp; entities",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_untrusted_text_never_becomes_markup(payload: str) -> None:
    diff = diff_texts("Safe clause about fees.\n", f"Safe clause about fees and {payload}\n\n{payload}\n")
    html = markdown.markdown(render_markdown(diff), extensions=SITE_EXTENSIONS)
    parser = TagCollector()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= {"p", "h3", "em", "strong", "code", "ins", "del", "details",
                                                "summary", "a"}
    for tag, attrs in parser.tags:
        for name, value in attrs:
            if (tag, name) in (("ins", "data-pagefind-weight"), ("del", "data-pagefind-weight")):
                continue  # the search weights of a diff's runs (site.archived.INS_OPEN, DEL_OPEN)
            assert name == "id" or (tag in ("details", "a", "p") and name in ("class", "href")), (tag, name)
            assert name != "href" or (value or "").startswith(("http://", "https://", "#")), value
    assert " ".join(plain_text(payload).split()) in " ".join("".join(parser.text).split())


def test_escape_untrusted_is_entity_only() -> None:
    escaped = markdown_text("a<b>&[c](d)!{e}*_\\`~^=+#|-")
    assert not any(ch in escaped for ch in "<>[]{}*_\\`~^=+|")
    assert markdown_text("plain words (really): it's \"fine\" - ok.") == "plain words (really): it's \"fine\" - ok."
    assert not any(ch in admonition_title('say "no" (now) - ok!') for ch in "\"()-!")


LINE_STARTS = ["- item", "+ item", "* item", "> quote", "!!! note", "??? note", ": term", "1. item",
               "# heading", "=====", "-----", "| a | b |", "    code", "[x]: http://x.example"]


@pytest.mark.parametrize("line", LINE_STARTS)
def test_escaped_line_starts_stay_one_paragraph(line: str) -> None:
    html = markdown.markdown("Before.\n" + markdown_text(f"{line}\n{line}"), extensions=SITE_EXTENSIONS)
    parser = TagCollector()
    parser.feed(html)
    assert [tag for tag, _ in parser.tags] == ["p"]
    assert line.strip() in "".join(parser.text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab -+*#=>!?:|~^`_[](){}<>&\\\"'.1\n")), max_size=60))
def test_escaped_text_renders_as_written(text: str) -> None:
    """Whatever the characters, escaped text renders as one or more plain paragraphs of itself."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    source = "\n".join(markdown_text(line) for line in lines)
    html = markdown.markdown(source, extensions=SITE_EXTENSIONS)
    parser = TagCollector()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= {"p"}
    assert " ".join("".join(parser.text).split()) == " ".join(" ".join(lines).split())


@pytest.fixture
def texts(tmp_path: Path) -> tuple[Path, Path, Path]:
    old, new, renum = tmp_path / "old.md", tmp_path / "new.md", tmp_path / "renum.md"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    renum.write_text(OLD.replace("## 1.", "## 7.").replace("## 2.", "## 8."), encoding="utf-8")
    return old, new, renum


def test_cli_diff_json(texts) -> None:
    old, new, _ = texts
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data == diff_to_json(tag_diff(diff_texts(OLD, NEW), load_topics()))  # tagged as the site tags


def test_cli_diff_text_and_markdown(texts) -> None:
    old, new, renum = texts
    result = CliRunner().invoke(cli, ["diff", str(old), str(renum)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 clauses renumbered"), "sections 1 and 2 renumbered"
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "markdown"])
    assert result.exit_code == 1
    assert '<p id="you-own-the-content-you-upload">' in result.output and "{ #your-content }" in result.output


def test_cli_diff_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "nope.md"), str(tmp_path / "nope.md")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_table_of_contents_entries_are_not_confused_with_their_sections() -> None:
    toc = "*   [Creator Economics](#creator)\n*   [Dispute Resolution](#disputes)\n\n"
    body = "## 4. Creator Economics\n\nCreators earn money.\n\n## 5. Dispute Resolution\n\nWe arbitrate.\n"
    old = toc + body
    new = toc.replace("Creator Economics", "Maker Economics") + body
    (change,) = diff_texts(old, new).changes
    assert change.kind == "modified" and change.before.kind == change.after.kind == "item"
    assert [op.text for op in change.words if op.op == "insert"] == ["Maker"]
