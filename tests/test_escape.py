"""Every escaping context of `clausewatch.site.escape`, fed hostile text, through the real renderers.

One property per context: whatever the text, what comes out of Python-Markdown (with the site's
extensions and the optional ones that would make more syntax live), of an XML parser or of a YAML
loader is the text itself, never markup we did not write.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import markdown
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from clausewatch.site import escape
from clausewatch.site.build import SKELETON_DIR

SITE_EXTENSIONS = [
    next(iter(e)) if isinstance(e, dict) else e
    for e in yaml.safe_load((SKELETON_DIR / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))[
        "markdown_extensions"]
]
"""The extensions the site's mkdocs.yml enables."""
STRICTER = [*SITE_EXTENSIONS, "md_in_html", "tables", "pymdownx.critic", "pymdownx.caret", "pymdownx.tilde",
            "pymdownx.mark", "pymdownx.superfences", "def_list", "abbr", "footnotes"]
"""Plus the extensions that would make more syntax live, should the site ever enable them."""

HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "[x](javascript:alert(3))", "![i](x.png)",
    "{: onclick=alert(4) }", "{ #id .cls }", "{++ins++}", "{--del--}", "{~~a~>b~~}", "^^sup^^", "~~s~~",
    "==mark==", "**bold**", "_em_", "`code`", "# heading", "1. item", "- item", "> quote", "!!! note",
    "??? x", "| a | b |", "---", "[ref]: javascript:alert(5)", "[link][ref]", "<https://x.example>",
    "&amp;", "&#60;", "\\*", "--8<-- 'file'", "{{ jinja }}", "<!-- c -->", "<div markdown=1>*x*</div>",
    "https://plain.example/url", "mailto:a@b.c", "\x00\x07\x1b]0;t\x07", "\u2028", "   indented code",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                                 max_size=20)),
    min_size=1, max_size=8,
).map(lambda parts: " ".join(parts))
hostile_lines = st.lists(hostile_text, min_size=1, max_size=4).map("\n".join)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.tags.append(("!--", {}))


def parse(rendered: str) -> Collector:
    collector = Collector()
    collector.feed(rendered)
    collector.close()
    return collector


def render(source: str, extensions: list[str]) -> Collector:
    return parse(markdown.markdown(source, extensions=extensions))


def visible(text: str) -> str:
    """Text as a reader sees it: control characters (but tab, newline, return) gone, whitespace folded."""
    return " ".join("".join(ch for ch in text if ch >= " " and ch != "\x7f" or ch in "\t\n\r").split())


def tag_names(collector: Collector) -> set[str]:
    return {tag for tag, _ in collector.tags}


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_markdown_text_is_only_its_own_text(text: str) -> None:
    for extensions in (SITE_EXTENSIONS, STRICTER):
        out = render(f"Before {escape.markdown_text(text)} after.", extensions)
        assert tag_names(out) <= {"p", "br"}  # a line ending in two spaces is a line break, nothing more
        assert visible("".join(out.text)) == visible(f"Before {text} after.")


@settings(max_examples=150, deadline=None)
@given(hostile_lines)
def test_markdown_block_keeps_only_http_links(text: str) -> None:
    for extensions in (SITE_EXTENSIONS, STRICTER):
        out = render(escape.markdown_block(text), extensions)
        assert tag_names(out) <= {"p", "a", "br"}
        for tag, attrs in out.tags:
            if tag == "a":
                assert set(attrs) == {"href"} and escape.is_web_url(attrs["href"] or "")


@settings(max_examples=100, deadline=None)
@given(hostile_text, st.sampled_from(["https://ok.example/p?q=1#f", "javascript:alert(1)", "data:x", "//x",
                                      "https://ok.example/a b", "https://ok.example/<x>"]))
def test_markdown_link_is_a_link_only_to_http(label: str, url: str) -> None:
    out = render(f"See {escape.markdown_link(label, url)}.", SITE_EXTENSIONS)
    links = [attrs for tag, attrs in out.tags if tag == "a"]
    assert tag_names(out) <= {"p", "a"}
    assert len(links) == (1 if escape.is_web_url(url) else 0)
    assert all(escape.is_web_url(a["href"] or "") for a in links)


@settings(max_examples=150, deadline=None)
@given(hostile_lines)
def test_admonition_title_stays_in_its_title(title: str) -> None:
    source = f'!!! commentary "{escape.admonition_title(title)}"\n\n    Body text.\n'
    for extensions in (SITE_EXTENSIONS, STRICTER):
        rendered = markdown.markdown(source, extensions=extensions)
        out = parse(rendered)
        assert tag_names(out) == {"div", "p"}
        if not visible(title):  # an empty title: the box has none (commentary titles are required)
            assert rendered.count("<p") == 1 and "Body text." in rendered
            continue
        assert rendered.count("<p") == 2 and "Body text." in rendered
        assert '<p class="admonition-title">' in rendered
        title_html = rendered.split('<p class="admonition-title">', 1)[1].split("</p>", 1)[0]
        assert visible(html.unescape(title_html)) == visible(title)


@settings(max_examples=100, deadline=None)
@given(hostile_lines)
def test_table_cell_is_one_cell(text: str) -> None:
    source = f"| a | b |\n|---|---|\n| {escape.table_cell(text)} | end |\n"
    out = render(source, [*SITE_EXTENSIONS, "tables"])
    assert [tag for tag, _ in out.tags].count("td") == 2
    assert tag_names(out) <= {"table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=100, deadline=None)
@given(hostile_lines)
def test_html_text_and_attribute_are_inert_in_a_markdown_page(text: str) -> None:
    source = (f'<div class="cw-cite">\n<dd>{escape.html_text(text)}</dd>\n</div>\n\n'
              f'Words <mark class="cw-topic" title="{escape.html_text(text)}">'
              f'{escape.markdown_text("x")}</mark> end.\n')
    for extensions in (SITE_EXTENSIONS, STRICTER):
        out = render(source, extensions)
        assert tag_names(out) == {"div", "dd", "p", "mark"}
        marks = [attrs for tag, attrs in out.tags if tag == "mark"]
        assert len(marks) == 1 and set(marks[0]) == {"class", "title"}
        assert visible(marks[0]["title"] or "") == visible(text)


@settings(max_examples=100, deadline=None)
@given(hostile_lines)
def test_xml_text_in_svg_parses_and_reads_back(text: str) -> None:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg"><title>{escape.xml_text(text)}</title>'
           f'<a href="{escape.xml_text(text)}"><circle r="1"/></a></svg>')
    root = ET.fromstring(svg)
    assert [child.tag.split("}")[1] for child in root] == ["title", "a"]
    assert visible(root[0].text or "") == visible(escape.xml_chars(text))


@settings(max_examples=100, deadline=None)
@given(hostile_lines)
def test_front_matter_value_is_one_plain_line(text: str) -> None:
    block = yaml.safe_dump({"title": escape.front_matter_value(text)}, allow_unicode=True, width=1000)
    value = yaml.safe_load(block)["title"]
    assert isinstance(value, str) and "\n" not in value
    assert not set(value) & set('<>"`')


SAFE_COMMENTARY_TAGS = {"p", "em", "strong", "ul", "ol", "li", "a", "code", "pre", "blockquote", "hr", "br",
                        "del", "ins", "mark", "sup", "sub"}
COMMENTARY_EXTENSIONS = [*SITE_EXTENSIONS, "md_in_html", "pymdownx.critic", "pymdownx.caret", "pymdownx.tilde",
                         "pymdownx.mark"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(hostile_lines, st.sampled_from([
    "> [bq]: javascript:alert(318)\n\n[bq-link][bq]", "- [li]: javascript:alert(1)\n\n[x][li]",
    "    [ind]: javascript:alert(2)", "[a]:\n  javascript:alert(3)\n\n[a]", "<a href=x>y</a>",
    "Setext\n===", "Setext\n---", "[x](<javascript:alert(1)>)", "[x]( javascript:alert(1) )",
])), min_size=1, max_size=5).map("\n\n".join))
def test_commentary_markdown_keeps_plain_markdown_only(body: str) -> None:
    for extensions in (SITE_EXTENSIONS, COMMENTARY_EXTENSIONS):
        out = render(escape.commentary_markdown(body), extensions)
        assert tag_names(out) <= SAFE_COMMENTARY_TAGS, tag_names(out)
        for tag, attrs in out.tags:
            assert not any(name.startswith("on") or name in ("style", "id", "class", "src") for name in attrs)
            if tag == "a":
                href = (attrs.get("href") or "").lower()
                assert href.startswith(("http://", "https://", "mailto:")), href


@settings(max_examples=100, deadline=None)
@given(hostile_lines)
def test_block_text_is_inert_inside_a_raw_html_block(text: str) -> None:
    source = (f'Before.\n\n<div class="cw-facts" data-cw-title="{escape.block_text(text)}"><dl><dt>x</dt>'
              f'<dd>{escape.block_text(text)}</dd></dl><p class="q"><q>{escape.block_text(text)}</q></p></div>\n\n'
              "After.\n")
    for extensions in (SITE_EXTENSIONS, STRICTER):
        out = render(source, extensions)
        assert tag_names(out) == {"p", "div", "dl", "dt", "dd", "q"}
        divs = [attrs for tag, attrs in out.tags if tag == "div"]
        assert len(divs) == 1 and set(divs[0]) == {"class", "data-cw-title"}
        assert visible(divs[0]["data-cw-title"] or "") == visible(escape.xml_chars(text))
