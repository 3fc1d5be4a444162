"""Archived Markdown on the site: its formatting shown, everything else inert.

The archive records documents as Markdown; readers must see **bold** as bold, not as `**bold**`. Only an
allow-list becomes markup: `<strong>`, `<em>`, `<code>`, http(s) links (`<a href>`), line breaks and pipe
tables (an HTML `<table>` block). Every character of the text itself goes through
`clausewatch.site.escape` (`markdown_text` on Markdown pages, `xml_text` in feeds), link targets through
`escape.link_target` (anything but http(s) shows as its text). The parsing is
`clausewatch.diff.markup`'s, so the site shows the same text the word diff compares.

- `render_inline(markdown)`: one line as safe site Markdown (inline HTML);
- `render_block(text)` / `render_blocks(text)`: a clause text as paragraphs and `<table>` blocks;
- `heading_text(markdown)`: a heading's plain text, escaped for a Markdown heading line;
- `render_ops(ops, old, new)`: a word diff over the plain texts, `<ins>`/`<del>` around changed runs,
  each character with the formatting of its side (`INS_OPEN`/`DEL_OPEN`: weighted for search, labelled
  for screen readers);
- `feed_block`, `feed_ops`: the same for feed entries (HTML that no Markdown reads);
- `plain_ops`, `plain_change`: word diffs and clause changes over the plain text, whatever the ops given.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate, groupby

from clausewatch.diff.clauses import full_text
from clausewatch.diff.markup import (
    Span,
    is_empty_row,
    parse_inline,
    plain_spans,
    plain_text,
    table_rows,
    text_blocks,
)
from clausewatch.diff.words import diff_words, new_text, old_text
from clausewatch.models import Clause, ClauseChange, WordOp
from clausewatch.site.escape import html_text, link_target, markdown_text, one_line, xml_text
from clausewatch.slugs import is_slug

_SPACES = re.compile(r"\s+")


INS_OPEN = '<ins data-pagefind-weight="2">'
"""How a page opens inserted words: ranked above the page's other words by Pagefind (a change page is
found first for what it added). Screen readers hear "inserted:" before them from the stylesheet
(`ins::before`, visually hidden, in theme/assets/clausewatch/clausewatch.css): a label in the HTML cost
37 bytes a run, 6% of the change pages (27 MB on the shared bundle), and search never sees a label."""
DEL_OPEN = '<del data-pagefind-weight="0.25">'
"""How a page opens deleted words: still found, ranked below every other word of the page (the "deleted:"
label comes from the stylesheet, as for insertions)."""


@dataclass(frozen=True, slots=True)
class Escapes:
    """How a context escapes text and link targets (a target of '' means: no link), and opens the
    `<ins>`/`<del>` of a word diff."""

    text: Callable[[str], str]
    href: Callable[[str], str]
    ins: str = "<ins>"
    dele: str = "<del>"


MARKDOWN = Escapes(markdown_text, lambda url: html_text(link_target(url)), INS_OPEN, DEL_OPEN)
"""Inline HTML on a Markdown page (also inside the raw `<table>` blocks: entities mean the same there)."""
XML = Escapes(xml_text, lambda url: xml_text(link_target(url)))
"""Feed entries: HTML that no Markdown reads."""


def styled(spans: Sequence[Span], escapes: Escapes = MARKDOWN, *, newline: str = "<br>",
           fold: bool = False) -> str:
    """Spans as HTML: text escaped, `<strong>`/`<em>`/`<code>` around it, a run of spans with the same
    http(s) target in one `<a href>`; line breaks become `newline`. With `fold`, whitespace runs become
    one space (or one line break when they hold one and `newline` is not a space)."""
    out: list[str] = []
    for href, group in groupby(spans, key=lambda span: span.href):
        inner = "".join(_span_html(span, escapes, newline, fold) for span in group)
        target = escapes.href(href) if href else ""
        out.append(f'<a href="{target}">{inner}</a>' if target and inner else inner)
    return "".join(out)


def _span_html(span: Span, escapes: Escapes, newline: str, fold: bool) -> str:
    text = span.text
    if fold:
        text = _SPACES.sub(lambda m: "\n" if "\n" in m.group() and newline != " " else " ", text)
    html = newline.join(escapes.text(part) for part in text.split("\n"))
    if not html:
        return ""
    if span.code:
        html = f"<code>{html}</code>"
    if span.em:
        html = f"<em>{html}</em>"
    if span.strong:
        html = f"<strong>{html}</strong>"
    return html


def render_inline(markdown: str) -> str:
    """One line of archived Markdown as safe site Markdown: formatting as inline HTML, the rest inert."""
    return styled(parse_inline(markdown)).strip()


def heading_text(markdown: str) -> str:
    """A heading's plain text (markup gone), escaped for a Markdown heading line."""
    return markdown_text(one_line(plain_text(markdown)))


@lru_cache(maxsize=32768)
def render_blocks(text: str, *, table_id: str = "") -> tuple[str, ...]:
    """A clause text as safe Markdown blocks: paragraphs (soft line breaks kept) and `<table>` blocks
    (no blank line inside). `table_id`: the id of the first block when it is a table (the clause's
    anchor, which a paragraph would carry as `{: #id }`); only a slug is used. Cached: a clause's text
    is shown on its document page, first record and as-of pages, unchanged across most versions."""
    blocks: list[str] = []
    for block in text_blocks(text):
        if block.kind == "table":
            rendered = _table_html(block.lines, "" if blocks else table_id)
        elif block.kind == "text":
            rendered = _paragraph(parse_inline("\n".join(block.lines)))
        else:
            continue
        if rendered:
            blocks.append(rendered)
    return tuple(blocks)


def render_block(text: str) -> str:
    """A clause text (several lines, soft line breaks, tables) as safe Markdown paragraphs and tables."""
    return "\n\n".join(render_blocks(text))


def _paragraph(spans: Sequence[Span]) -> str:
    """A paragraph's lines, each stripped: a line starting with spaces could be read as code, a blank
    one would end the paragraph."""
    lines = (line.strip() for line in styled(spans, newline="\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _table_html(lines: tuple[str, ...], table_id: str) -> str:
    rows = [row for row in table_rows(lines) if not is_empty_row(row[1])]
    if not rows:
        return ""
    out = [f'<table id="{table_id}">' if is_slug(table_id) else "<table>"]
    if rows[0][0]:
        out += ["<thead>", _row_html(rows[0][1], "th"), "</thead>"]
        rows = rows[1:]
    if rows:
        out += ["<tbody>", *(_row_html(cells, "th" if header else "td") for header, cells in rows), "</tbody>"]
    out.append("</table>")
    return "\n".join(out)


def _row_html(cells: Sequence[Sequence[Span]], tag: str) -> str:
    return "<tr>" + "".join(f"<{tag}>{styled(cell).strip()}</{tag}>" for cell in cells) + "</tr>"


# --- word diffs -------------------------------------------------------------------------------------


class _Cutter:
    """Slices of a span sequence by character offsets of its text."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = tuple(spans)
        self.starts = list(accumulate((len(span.text) for span in self.spans), initial=0))
        self.text = "".join(span.text for span in self.spans)

    def cut(self, start: int, end: int) -> list[Span]:
        out: list[Span] = []
        k = max(0, bisect_right(self.starts, start) - 1)
        while k < len(self.spans) and self.starts[k] < end:
            span, offset = self.spans[k], self.starts[k]
            a, b = max(start, offset) - offset, min(end, offset + len(span.text)) - offset
            if b > a:
                out.append(Span(span.text[a:b], span.strong, span.em, span.code, span.href))
            k += 1
        return out

    def collapsed(self, start: int, end: int, *, keep_start: bool, keep_end: bool, words: int) -> list[Span]:
        """An unchanged run shortened to `words` words next to the changes around it, with `…` (the
        rule of `clausewatch.diff.render.collapsed_ops`)."""
        gaps = list(_SPACES.finditer(self.text, start, end))
        words = max(1, words)
        if len(gaps) + 1 <= 2 * words + 1:
            return self.cut(start, end)
        out: list[Span] = []
        if keep_start:
            out += [*self.cut(start, gaps[words - 1].start()), Span(" ")]
        out.append(Span("…"))
        if keep_end:
            out += [Span(" "), *self.cut(gaps[-words].end(), end)]
        return out


def render_ops(ops: Sequence[WordOp], old_markdown: str, new_markdown: str, *,
               context_words: int | None = None, line_breaks: bool = False) -> str:
    """A word diff over `plain_text(old_markdown)` → `plain_text(new_markdown)` as one line of safe
    site Markdown: `<ins>`/`<del>` around changed runs, formatting inside them (equal and inserted text
    as the new side has it, deleted text as the old side had it). With `context_words`, long unchanged
    runs keep that many words next to each change; line breaks are spaces (`<br>` with `line_breaks`).
    A deletion and an insertion that meet are parted by a space, so that the words of the two sides
    never run together (in the page's text, search snippets, copied text).
    Ops that do not spell these plain texts are shown without formatting."""
    return ops_html(ops, old_markdown, new_markdown, MARKDOWN, context_words=context_words,
                    newline="<br>" if line_breaks else " ")


def ops_html(ops: Sequence[WordOp], old_markdown: str, new_markdown: str, escapes: Escapes, *,
             context_words: int | None = None, newline: str = " ") -> str:
    """`render_ops` for any escaping context."""
    ops = tuple(op for op in ops if op.text)
    old_spans, new_spans = plain_spans(old_markdown), plain_spans(new_markdown)
    old_cut, new_cut = _Cutter(old_spans), _Cutter(new_spans)
    if old_cut.text != old_text(ops) or new_cut.text != new_text(ops):
        old_cut, new_cut = _Cutter((Span(old_text(ops)),)), _Cutter((Span(new_text(ops)),))
    at_old = at_new = 0
    out: list[str] = []
    for index, op in enumerate(ops):
        size = len(op.text)
        if op.op == "delete":
            pieces = old_cut.cut(at_old, at_old + size)
        elif op.op == "insert" or context_words is None or len(ops) == 1:
            pieces = new_cut.cut(at_new, at_new + size)
        else:
            pieces = new_cut.collapsed(at_new, at_new + size, keep_start=index > 0,
                                       keep_end=index < len(ops) - 1, words=context_words)
        at_old += size if op.op != "insert" else 0
        at_new += size if op.op != "delete" else 0
        html = styled(pieces, escapes, newline=newline, fold=True)
        if op.op == "equal":
            out.append(html)
            continue
        if index and ops[index - 1].op not in ("equal", op.op) and not _ends_blank(ops[index - 1].text, op.text):
            out.append(" ")  # `<del>Use;</del> <ins>Uses</ins>`, never `Use;Uses`
        out.append(f"{escapes.ins}{html}</ins>" if op.op == "insert" else f"{escapes.dele}{html}</del>")
    return "".join(out)


def _ends_blank(before: str, after: str) -> bool:
    return before[-1:].isspace() or after[:1].isspace()


def feed_block(markdown: str) -> str:
    """A clause text as feed-entry HTML (`xml_text`), formatting kept, line breaks as `<br>`."""
    return styled(plain_spans(markdown), XML, newline="<br>", fold=True)


def feed_ops(ops: Sequence[WordOp], old_markdown: str, new_markdown: str) -> str:
    """`render_ops` for a feed entry (`xml_text`), line breaks as `<br>`."""
    return ops_html(ops, old_markdown, new_markdown, XML, newline="<br>")


def change_texts(change: ClauseChange) -> tuple[str, str]:
    """The old and new Markdown a clause change's word diff compares, joined as the diff core joins a
    split or merge."""
    olds = (change.before, *change.others) if change.kind == "merged" else (change.before,)
    news = (change.after, *change.others) if change.kind == "split" else (change.after,)
    return ("\n\n".join(full_text(c) for c in olds if c is not None),
            "\n\n".join(full_text(c) for c in news if c is not None))


def plain_ops(ops: Sequence[WordOp], old_markdown: str, new_markdown: str) -> tuple[WordOp, ...]:
    """`ops` when they already diff the plain texts of `old_markdown` → `new_markdown`; else the word
    diff of those plain texts (the diff engine's own, with its size guard)."""
    old_plain, new_plain = plain_text(old_markdown), plain_text(new_markdown)
    ops = tuple(ops)
    if old_text(ops) == old_plain and new_text(ops) == new_plain:
        return ops
    return diff_words(old_plain, new_plain)


def _plain_clause(clause: Clause | None) -> Clause | None:
    if clause is None:
        return None
    heading = one_line(plain_text(clause.heading)) if clause.heading else clause.heading
    return replace(clause, heading=heading, text=plain_text(clause.text))


def plain_change(change: ClauseChange) -> ClauseChange:
    """`change` with its clauses' headings and texts as plain text and its word diff over them (for
    matching words: topics, excerpts)."""
    words = plain_ops(change.words, *change_texts(change)) if change.words else ()
    return replace(change, before=_plain_clause(change.before), after=_plain_clause(change.after),
                   others=tuple(c for c in map(_plain_clause, change.others) if c is not None), words=words)
