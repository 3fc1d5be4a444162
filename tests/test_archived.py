"""Archived Markdown on the site (`clausewatch.site.archived`): formatting shown, nothing else live.

The properties run hostile text through the real Python-Markdown configuration of the site (plus
`md_in_html` and `pymdownx.critic`, which would make more syntax live): only the allow-listed tags come
out, links only to http(s), and the text a reader sees is `plain_text` of the input.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from test_escape import SITE_EXTENSIONS

from clausewatch.diff import render
from clausewatch.diff.markup import CELL_SEPARATOR, plain_text
from clausewatch.diff.words import diff_words
from clausewatch.models import WordOp
from clausewatch.site import archived, escape

EXTENSIONS = [*SITE_EXTENSIONS, "md_in_html", "pymdownx.critic"]
ALLOWED = {"p", "br", "strong", "em", "code", "a", "ins", "del", "table", "thead", "tbody", "tr", "th", "td"}
PIECES = ["*", "_", "[", "]", "(", ")", "<", ">", "&", "\\", "`", "|", "#", "!", "{", "}", " ", " ", "\n",
          "a", "b", "word", "1.", "-", "javascript:", "<script>", "https://x.example/p", "](", "**", "__",
          "&amp;", "&#42;", "<br>", "| --- |", "\n| a | b |\n| --- | --- |\n", "{: #x }", "{++", "++}", "~~",
          "<https://y.example>", "![", "\t", "\u00a0", "é"]
hostile = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)


class Reader(HTMLParser):
    """The tags of a rendered fragment and its text as a reader reads it: table cells joined like
    `plain_text` joins them, rows and `<br>` as line breaks; text inside `<ins>` or `<del>` kept or
    dropped on request (one side of a diff)."""

    def __init__(self, skip: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.skip, self.skipping = skip, 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.first_cell = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == self.skip:
            self.skipping += 1
        elif tag == "tr":
            self.text.append("\n")
            self.first_cell = True
        elif tag in ("td", "th"):
            self.text.append("" if self.first_cell else CELL_SEPARATOR)
            self.first_cell = False
        elif tag == "br" and not self.skipping:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.skip:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append(("!--", {}))


def read(source: str, skip: str = "") -> Reader:
    reader = Reader(skip)
    reader.feed(markdown.markdown(source, extensions=EXTENSIONS))
    reader.close()
    return reader


def folded(text: str) -> str:
    return " ".join(text.split())


def bare(rendered: str) -> str:
    """A rendered diff without what pages add to `<ins>`/`<del>` (search weights, hidden labels)."""
    return rendered.replace(archived.INS_OPEN, "<ins>").replace(archived.DEL_OPEN, "<del>")


def assert_safe(reader: Reader) -> None:
    assert {tag for tag, _ in reader.tags} <= ALLOWED, reader.tags
    for tag, attrs in reader.tags:
        if tag == "a":
            assert set(attrs) == {"href"} and escape.is_web_url(attrs["href"] or ""), attrs
        else:
            assert not attrs, (tag, attrs)


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_render_inline_shows_only_formatting_and_the_text(text: str) -> None:
    line = " ".join(text.split("\n"))
    reader = read(f"Before {archived.render_inline(line)} after.")
    assert_safe(reader)
    assert folded("".join(reader.text)) == folded(f"Before {plain_text(line)} after.")


@settings(max_examples=300, deadline=None)
@given(hostile)
def test_render_block_shows_only_formatting_and_the_text(text: str) -> None:
    reader = read(archived.render_block(text))
    assert_safe(reader)
    assert folded("".join(reader.text)) == folded(plain_text(text))


def _random_ops(old: str, new: str, data: st.DataObject) -> tuple[WordOp, ...]:
    """The engine's word diff, or a crude one (everything replaced, or a split at any point)."""
    choice = data.draw(st.sampled_from(["engine", "replace", "split"]))
    if choice == "engine":
        return diff_words(old, new)
    if choice == "replace":
        return tuple(op for op in (WordOp("delete", old), WordOp("insert", new)) if op.text)
    cut = data.draw(st.integers(0, min(len(old), len(new))))
    same = old[:cut] == new[:cut]
    head = (WordOp("equal", old[:cut]),) if same and cut else ()
    rest_old, rest_new = (old[cut:], new[cut:]) if same else (old, new)
    return head + tuple(op for op in (WordOp("delete", rest_old), WordOp("insert", rest_new)) if op.text)


@settings(max_examples=300, deadline=None)
@given(hostile, hostile, st.booleans(), st.data())
def test_render_ops_shows_each_side_with_its_formatting(old: str, new: str, line_breaks: bool,
                                                         data: st.DataObject) -> None:
    ops = _random_ops(plain_text(old), plain_text(new), data)
    rendered = bare(archived.render_ops(ops, old, new, line_breaks=line_breaks))
    assert "\n" not in rendered
    for skip, side in (("del", new), ("ins", old)):
        reader = read(rendered, skip)
        assert_safe(reader)
        # a space parts a deletion from the insertion it meets: compared without spaces
        assert "".join("".join(reader.text).split()) == "".join(plain_text(side).split())


def test_bold_italic_links_and_code_become_tags() -> None:
    out = archived.render_inline("**Notwithstanding** the *above*, see [our policy](https://x.example/p_q) "
                                 "and `code`; [mail](mailto:a@b.example) stays text.")
    assert out == ('<strong>Notwithstanding</strong> the <em>above</em>, see '
                   '<a href="https&#58;//x.example/p&#95;q">our policy</a> and <code>code</code>; mail stays text.')


def test_headline_sentence_in_bold_shows_as_bold() -> None:
    out = archived.render_block("**Notwithstanding the above, we will never sell your data without your consent.**")
    assert out.startswith("<strong>Notwithstanding") and "**" not in out


def test_heading_text_is_plain() -> None:
    assert archived.heading_text("**Customer Content**") == "Customer Content"
    assert archived.heading_text("*Fees* & [Taxes](https://x.example) {#id}") == "Fees &#38; Taxes &#123;&#35;id&#125;"


def test_table_block_is_an_html_table_without_blank_lines() -> None:
    text = ("|     |     |\n| --- | --- |\n| **Type of Data** | **Retention** |\n"
            "| [Adsquare](http://www.adsquare.com/privacy) | *   Up to 3 years<br>*   or less |\n"
            "| a \\| b | `x|y` |")
    out = archived.render_block(text)
    assert "\n\n" not in out and out.startswith("<table>") and out.endswith("</table>")
    assert "<thead>" not in out  # the empty header row OTA writes for tables without one is dropped
    assert "<td><strong>Type of Data</strong></td>" in out
    assert '<a href="http&#58;//www.adsquare.com/privacy">Adsquare</a>' in out
    assert "<td>• Up to 3 years<br>• or less</td>" in out
    assert "<td>a &#124; b</td>" in out


def test_paragraph_then_table_then_paragraph() -> None:
    blocks = archived.render_blocks("Intro *text*\n| h |\n| - |\n| c |\n\nAfter", table_id="t-1")
    assert len(blocks) == 3
    assert blocks[0] == "Intro <em>text</em>"
    assert blocks[1].startswith("<table>")  # the id goes to a first block only
    assert blocks[2] == "After"
    assert archived.render_blocks("| h |\n| - |\n| c |", table_id="t-1")[0].startswith('<table id="t-1">')


def test_paragraph_lines_never_start_code_blocks_or_blank_lines() -> None:
    out = archived.render_block("a\n&#32;&#32;&#32;&#32;&#32;code?\n&nbsp;\n# not a heading")
    assert out == "a\ncode?\n&#35; not a heading"


def test_render_ops_nests_formatting_inside_ins_and_del() -> None:
    old = "You grant a licence to *your* content."
    new = "You grant a **perpetual** licence to [your](https://a.example) content."
    ops = diff_words(plain_text(old), plain_text(new))
    assert bare(archived.render_ops(ops, old, new)) == (
        'You grant a <ins><strong>perpetual</strong> </ins>licence to <a href="https&#58;//a.example">your</a> '
        "content.")
    deleted = bare(archived.render_ops(diff_words(plain_text(new), plain_text(old)), new, old))
    assert deleted.startswith("You grant a <del><strong>perpetual</strong> </del>licence")


def test_render_ops_collapses_long_unchanged_runs_like_the_text_diff() -> None:
    words = " ".join(f"w{k}" for k in range(40))
    old, new = f"**Start** {words} old end", f"**Start** {words} new end"
    ops = diff_words(plain_text(old), plain_text(new))
    out = bare(archived.render_ops(ops, old, new, context_words=3))
    assert out == "… w38 w39 <del>old</del> <ins>new</ins> end"  # the run ends with a space: a word too
    ops = (WordOp("delete", "x "), *diff_words("Start " + words, "Start " + words))
    out = bare(archived.render_ops(ops, "x **Start** " + words, "**Start** " + words, context_words=3))
    assert out == "<del>x </del><strong>Start</strong> w0 w1 …"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", " ", "  ", "\n", "."]), max_size=80).map("".join),
       st.lists(st.sampled_from(["a", "b", "d", " ", "\n", "."]), max_size=80).map("".join))
def test_render_ops_collapses_by_the_rule_of_collapsed_ops(old: str, new: str) -> None:
    ops = diff_words(old, new)
    shown = bare(archived.render_ops(ops, old, new, context_words=render.CONTEXT_WORDS))
    expected = "".join(op.text for op in render.collapsed_ops(ops))
    # compared without spaces: a space parts a deletion from the insertion it meets
    assert "".join(html.unescape(re.sub("<[^>]+>", "", shown)).split()) == "".join(expected.split())


def test_render_ops_over_other_texts_shows_them_without_formatting() -> None:
    ops = (WordOp("equal", "**a** "), WordOp("insert", "<b>"))
    assert bare(archived.render_ops(ops, "**a** ", "**a** <b>")) == "&#42;&#42;a&#42;&#42; <ins>&#60;b&#62;</ins>"


def test_feed_html_is_xml_escaped_with_formatting() -> None:
    assert archived.feed_block("**a** <b> [x](https://x.example/?a=1&b=2)") == \
        '<strong>a</strong> &lt;b&gt; <a href="https://x.example/?a=1&amp;b=2">x</a>'
    ops = diff_words("a b", "a c")
    assert archived.feed_ops(ops, "*a* b", "*a* c") == "<em>a</em> <del>b</del> <ins>c</ins>"


def test_plain_ops_keeps_plain_ops_and_rediffs_markup_ops() -> None:
    old, new = "**a** b", "**a** c"
    plain = diff_words("a b", "a c")
    assert archived.plain_ops(plain, old, new) == plain
    assert archived.plain_ops(diff_words(old, new), old, new) == plain
    assert html.unescape(bare(archived.render_ops(archived.plain_ops(diff_words(old, new), old, new), old, new))) \
        == "<strong>a</strong> <del>b</del> <ins>c</ins>"


def test_diff_marks_are_weighted_labelled_and_parted() -> None:
    """Issue 13: inserted words weigh more for search than deleted ones, each run has a hidden label,
    and a deletion meeting an insertion is parted by a space (search snippets read "Use; Uses")."""
    ops = (WordOp("equal", "Permitted "), WordOp("delete", "Use;"), WordOp("insert", "Uses"),
           WordOp("equal", " for "), WordOp("delete", "for"), WordOp("insert", "to"), WordOp("equal", " you"))
    out = archived.render_ops(ops, "Permitted Use; for for you", "Permitted Uses for to you")
    assert out.count('<ins data-pagefind-weight="2">') == 2
    assert out.count('<del data-pagefind-weight="0.25">') == 2
    assert "inserted" not in out and "deleted" not in out  # labels come from the stylesheet (ins::before)
    text = re.sub("<[^>]+>", "", out)
    assert text == "Permitted Use; Uses for for to you"
    assert archived.feed_ops(ops, "", "").count("<ins>") == 2  # feeds: plain tags, no weights or labels
