"""Property tests (hypothesis) of the clause diff on generated legal-looking documents."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import markdown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausewatch.diff.clauses import full_text
from clausewatch.diff.compare import diff_texts
from clausewatch.diff.markup import plain_text
from clausewatch.diff.render import render_text
from clausewatch.diff.sections import clause_changes
from clausewatch.diff.words import diff_words, new_text, old_text
from clausewatch.models import Diff
from clausewatch.site.diff_markdown import render_markdown

WORDS = ("the provider may use your content data account service fees terms licence share "
         "personal information third parties notice law court arbitration refund consent training "
         "cookies we you not any all each within days written").split()
TITLES = ("Definitions Fees Privacy Termination Licence Warranties Liability Arbitration Content "
          "Cookies Refunds Notices Security Children Changes Contact").split()

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

sentence = st.lists(st.sampled_from(WORDS), min_size=4, max_size=18).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
section = st.tuples(
    st.lists(st.sampled_from(TITLES), min_size=1, max_size=3, unique=True).map(" ".join),
    st.lists(sentence, min_size=1, max_size=4),
)
document = st.lists(section, min_size=2, max_size=8, unique_by=lambda s: s[0])


def render(sections: list[tuple[str, list[str]]], *, offset: int = 0) -> str:
    """Sections as Markdown: `## n. Title`, then numbered paragraphs `n.k text`."""
    out = ["# Terms of Service", ""]
    for n, (title, paragraphs) in enumerate(sections, start=1 + offset):
        out += [f"## {n}. {title}", ""]
        for k, text in enumerate(paragraphs, start=1):
            out += [f"{n}.{k} {text}", ""]
    return "\n".join(out)


def texts_after_applying(diff: Diff) -> Counter[str]:
    """The old clauses with every reported clause change (each section's parts) applied, as a multiset
    of clause texts; each word diff spells the plain words of both sides."""
    result = Counter(full_text(c) for c in diff.before)
    for change in clause_changes(diff.changes):
        olds = [change.before, *(change.others if change.kind == "merged" else ())]
        news = [change.after, *(change.others if change.kind == "split" else ())]
        if change.words:
            assert old_text(change.words) == plain_text("\n\n".join(full_text(c) for c in olds))
            assert new_text(change.words) == plain_text("\n\n".join(full_text(c) for c in news))
        result -= Counter(full_text(c) for c in olds if c is not None)
        result += Counter(full_text(c) for c in news if c is not None)
    return result


@PROPERTY_SETTINGS
@given(document)
def test_self_diff_has_no_change(sections) -> None:
    text = render(sections)
    diff = diff_texts(text, text)
    assert diff.changes == ()
    assert diff.summary.renumbered == 0 and diff.summary.moved == 0


@PROPERTY_SETTINGS
@given(document, document)
def test_applying_the_changes_gives_the_new_clauses(old_sections, new_sections) -> None:
    diff = diff_texts(render(old_sections), render(new_sections))
    assert texts_after_applying(diff) == Counter(full_text(c) for c in diff.after)


@PROPERTY_SETTINGS
@given(document, st.data())
def test_applying_small_edits_gives_the_new_clauses(sections, data) -> None:
    edited = [(title, list(paragraphs)) for title, paragraphs in sections]
    for _ in range(data.draw(st.integers(1, 4))):
        s = data.draw(st.integers(0, len(edited) - 1))
        title, paragraphs = edited[s]
        action = data.draw(st.sampled_from(["insert", "delete", "reword", "drop-section"]))
        if action == "insert":
            paragraphs.insert(data.draw(st.integers(0, len(paragraphs))), data.draw(sentence))
        elif action == "delete" and len(paragraphs) > 1:
            paragraphs.pop(data.draw(st.integers(0, len(paragraphs) - 1)))
        elif action == "reword":
            k = data.draw(st.integers(0, len(paragraphs) - 1))
            paragraphs[k] = paragraphs[k].replace(".", " " + data.draw(st.sampled_from(WORDS)) + ".")
        elif len(edited) > 1:
            edited.pop(s)
    diff = diff_texts(render(sections), render(edited))
    assert texts_after_applying(diff) == Counter(full_text(c) for c in diff.after)
    assert diff.summary.added + diff.summary.removed + diff.summary.modified <= 4 * 5


@PROPERTY_SETTINGS
@given(document, st.integers(1, 50))
def test_renumbering_every_section_is_no_substantive_change(sections, offset) -> None:
    diff = diff_texts(render(sections), render(sections, offset=offset))
    assert diff.summary.substantive == 0
    assert diff.changes == ()
    assert diff.summary.renumbered == len(sections), "every section renumbered: its clauses move with it"


@PROPERTY_SETTINGS
@given(document, st.data())
def test_swapping_two_sections_is_a_move(sections, data) -> None:
    i = data.draw(st.integers(0, len(sections) - 1))
    j = data.draw(st.integers(0, len(sections) - 1).filter(lambda x: x != i))
    swapped = list(sections)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    diff = diff_texts(render(sections), render(swapped, offset=0))
    assert diff.summary.added == 0 and diff.summary.removed == 0 and diff.summary.modified == 0
    assert diff.summary.moved >= 1 and diff.summary.substantive == 0
    assert {c.kind for c in diff.changes} == {"moved"}
    moved_headings = {c.after.heading for c in diff.changes if c.after.kind == "heading"}
    assert moved_headings & {sections[i][0], sections[j][0]}


@PROPERTY_SETTINGS
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_word_diff_rebuilds_both_texts(a, b) -> None:
    ops = diff_words(a, b)
    assert old_text(ops) == a and new_text(ops) == b
    assert all(op.text for op in ops)
    assert all(x.op != y.op for x, y in zip(ops, ops[1:], strict=False))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


HOSTILE_PIECES = [*"<>&[](){}!*_`~^=+#|-:/\\\"' \nabcjs1.;", "javascript:", "script", "onerror=", "{--",
                  "++}", "<svg", 'markdown="1"', "{ #x }", "1. ", "&#60;"]
HOSTILE = st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=30).map("".join)


@settings(max_examples=150, deadline=None)
@given(HOSTILE, HOSTILE)
def test_rendered_markdown_never_contains_live_markup_from_the_text(old, new) -> None:
    diff = diff_texts(f"Clause one {old}\n\n{old}\n", f"Clause one {new}\n\n{new}\n")
    page = render_markdown(diff)
    html = markdown.markdown(page, extensions=["attr_list", "md_in_html", "toc", "admonition", "pymdownx.details",
                                               "pymdownx.critic", "pymdownx.caret", "pymdownx.tilde",
                                               "pymdownx.mark", "tables"])
    parser = _Tags()
    parser.feed(html)
    assert {tag for tag, _ in parser.tags} <= {"p", "h3", "em", "strong", "code", "ins", "del", "a", "div",
                                               "details", "summary", "br", "span"}
    for tag, attrs in parser.tags:
        for name, value in attrs:
            allowed = name == "id" or (name == "class" and tag in ("details", "div", "p")) or (
                name == "href" and tag == "a" and (value or "").startswith(("http://", "https://"))) or (
                tag in ("ins", "del") and name == "data-pagefind-weight" and value in ("2", "0.25"))  # search weights
            assert allowed, (tag, name, value)
    assert render_text(diff).startswith(("no changes", "1 ", "2 ", "3 ", "4 "))
