"""Archived Markdown as a reader reads it: styled text spans, tables of cells, and the plain text.

The archive stores documents as Markdown (Open Terms Archive's extractor output: `**bold**`, `*italic*`,
`[text](url)`, pipe tables, backslash escapes, entities). The site shows it as formatting and the word
diff compares the words a reader reads, not the markup around them: an emphasis added around unchanged
words changes no word.

- `parse_inline(markdown)`: one paragraph as `Span`s (text plus strong/em/code/link), the subset of
  CommonMark inline syntax OTA writes (`clausewatch.diff.inline`); never raises, linear-ish time.
- `text_blocks(text)`: a clause text as paragraphs, blank lines and pipe tables.
- `parse_table(text)`: a pipe table as rows of cells (escaped `\\|` belongs to its cell).
- `plain_spans(markdown)` / `plain_text(markdown)`: the whole text as spans / as the text a reader
  reads: line breaks kept, each table row one line with its cells joined by ` · `, delimiter rows and
  empty rows dropped. `"".join(span.text for span in plain_spans(x)) == plain_text(x)`.

Pure: imports only the standard library (and `clausewatch.diff.inline`). Results are cached per text:
consecutive versions of a document share almost all their clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from clausewatch.diff.inline import Node, Parser, literal_text

CELL_SEPARATOR = " · "
"""Between the cells of a table row in the plain text."""
_ACTIVE = re.compile(r"[\\&`*_\[\]<]")
"""A paragraph without these characters is its own plain text."""
_DELIMITER_ROW = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_CELL_BULLET = re.compile(r"(^|<[bB][rR][ \t]*/?>)[ \t]*[*+\-•][ \t]+")
"""A list item inside a cell (`*   item<br>*   item`, as OTA writes HTML lists in tables)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CACHE_SIZE = 65536
MAX_TOKENS = 20_000
"""Delimiter runs and brackets in one paragraph beyond which its emphasis, links and code are not parsed
(shown as written, escapes and entities resolved). The busiest paragraph of the 865 OTA documents has
about 1,000; a megabyte of `*[*[` has 500,000, and would take seconds to parse for nothing."""
_STRUCTURE = re.compile(r"[*_`]+|[\[\]\\&<]")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one style: what a reader sees, and how it is formatted."""

    text: str
    strong: bool = False
    em: bool = False
    code: bool = False
    href: str = ""
    """The link destination as written (any scheme: the site decides what may become a link)."""


@dataclass(frozen=True, slots=True)
class Block:
    """A part of a clause text: a paragraph (its lines, stripped), a blank line, or a pipe table."""

    kind: Literal["text", "blank", "table"]
    lines: tuple[str, ...]


Cells = tuple[tuple[Span, ...], ...]
Row = tuple[bool, Cells]
"""A table row: whether it is a header row (followed by a delimiter row), and its cells."""


@lru_cache(maxsize=CACHE_SIZE)
def parse_inline(markdown: str) -> tuple[Span, ...]:
    """The spans of one paragraph of archived Markdown (line breaks are `\\n` inside span texts).

    Unmatched delimiters, raw HTML tags and anything not in the supported subset stay literal text;
    images become their alt text; entities are decoded; `<br>` is a line break.
    """
    if not _ACTIVE.search(markdown):
        text = _CONTROL.sub("", markdown)
        return (Span(text),) if text else ()
    if len(markdown) > MAX_TOKENS and len(_STRUCTURE.findall(markdown)) > MAX_TOKENS:
        text = _CONTROL.sub("", literal_text(markdown))
        return (Span(text),) if text else ()
    return _flatten(Parser(markdown).parse())


def _flatten(nodes: list[Node]) -> tuple[Span, ...]:
    """Spans from the parsed nodes: each node's text styled by the styles open around it (inside an
    image, its alt text: plain, linked only by a link around the image)."""
    strong = em = 0
    links: list[str] = []
    images: list[str] = []
    spans = _Spans()
    for node in nodes:
        for kind, _ in node.closes or ():
            strong -= kind == "strong"
            em -= kind == "em"
            stack = links if kind == "link" else images if kind == "image" else None
            if stack:
                stack.pop()
        if node.text:
            if images:
                spans.add(node.text, (False, False, False, images[-1]))
            else:
                spans.add(node.text, (strong > 0, em > 0, node.code, links[-1] if links else ""))
        for kind, href in node.opens or ():
            strong += kind == "strong"
            em += kind == "em"
            if kind == "link":
                links.append(href)
            elif kind == "image":
                images.append(images[-1] if images else links[-1] if links else "")
    return spans.done()


Style = tuple[bool, bool, bool, str]
"""(strong, em, code, href) of a span."""
_PLAIN: Style = (False, False, False, "")


class _Spans:
    """Spans built piece by piece, consecutive pieces of one style joined once (not pairwise: a text of
    many small pieces would copy its growing span over and over)."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.pieces: list[str] = []
        self.style: Style = _PLAIN

    def add(self, text: str, style: Style = _PLAIN) -> None:
        if style != self.style:
            self._flush()
            self.style = style
        self.pieces.append(text)

    def extend(self, spans: tuple[Span, ...]) -> None:
        for span in spans:
            self.add(span.text, (span.strong, span.em, span.code, span.href))

    def _flush(self) -> None:
        text = "".join(self.pieces)
        if text:
            self.spans.append(Span(text, *self.style))
        self.pieces = []

    def done(self) -> tuple[Span, ...]:
        self._flush()
        return tuple(self.spans)


def text_blocks(text: str) -> tuple[Block, ...]:
    """The blocks of a clause text, one line mapping to one block line: runs of lines starting with `|`
    that hold a delimiter row are tables; blank lines are blank blocks; the rest are paragraphs."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    runs: list[tuple[str, list[str]]] = []
    for line in lines:
        stripped = line.strip()
        kind = "blank" if not stripped else "table" if stripped.startswith("|") else "text"
        if runs and runs[-1][0] == kind and kind != "blank":
            runs[-1][1].append(stripped)
        else:
            runs.append((kind, [stripped]))
    blocks: list[Block] = []
    for kind, run in runs:
        if kind == "table" and not any(_DELIMITER_ROW.match(line) for line in run[1:]):
            kind = "text"  # a line that merely starts with `|`
        if kind == "text" and blocks and blocks[-1].kind == "text":
            blocks[-1] = Block("text", blocks[-1].lines + tuple(run))
        else:
            blocks.append(Block(kind, tuple(run)))  # type: ignore[arg-type]
    return tuple(blocks)


def table_rows(lines: tuple[str, ...]) -> tuple[Row, ...]:
    """The rows of a table block: delimiter rows dropped, the row before one marked as a header."""
    rows: list[Row] = []
    for index, line in enumerate(lines):
        if index and _DELIMITER_ROW.match(line):
            continue
        header = index + 1 < len(lines) and bool(_DELIMITER_ROW.match(lines[index + 1]))
        rows.append((header, tuple(_cell(cell) for cell in split_row(line))))
    return tuple(rows)


def split_row(line: str) -> list[str]:
    """The cells of a table row as written: outer pipes dropped, split at unescaped `|`."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(line)]


def _cell(text: str) -> tuple[Span, ...]:
    return parse_inline(_CELL_BULLET.sub(lambda m: f"{m.group(1)}• ", text))


def is_empty_row(cells: Cells) -> bool:
    """True for a row whose every cell is blank (OTA's header rows of tables without one)."""
    return all(not "".join(span.text for span in cell).strip() for cell in cells)


def parse_table(text: str) -> list[list[tuple[Span, ...]]] | None:
    """A clause text that is one pipe table as its rows of cells (header first, delimiter rows dropped);
    None when the text is anything else."""
    blocks = text_blocks(text.strip())
    if len(blocks) != 1 or blocks[0].kind != "table":
        return None
    return [list(cells) for _, cells in table_rows(blocks[0].lines)]


@lru_cache(maxsize=CACHE_SIZE)
def plain_spans(markdown: str) -> tuple[Span, ...]:
    """The whole text as spans: paragraphs parsed, blank lines kept, table rows one line each."""
    spans = _Spans()
    for index, block in enumerate(text_blocks(markdown)):
        if index:
            spans.add("\n")
        if block.kind == "text":
            spans.extend(parse_inline("\n".join(block.lines)))
        elif block.kind == "table":
            rows = [cells for _, cells in table_rows(block.lines) if not is_empty_row(cells)]
            for number, cells in enumerate(rows):
                if number:
                    spans.add("\n")
                for column, cell in enumerate(cells):
                    if column:
                        spans.add(CELL_SEPARATOR)
                    spans.extend(cell)
    return spans.done()


@lru_cache(maxsize=CACHE_SIZE)
def plain_text(markdown: str) -> str:
    """The text a reader reads: markup gone, line breaks kept, table rows as `cell · cell` lines."""
    return "".join(span.text for span in plain_spans(markdown))


def clear_caches() -> None:
    """Forget the memoized parses (for benchmarks and memory)."""
    parse_inline.cache_clear()
    plain_spans.cache_clear()
    plain_text.cache_clear()
