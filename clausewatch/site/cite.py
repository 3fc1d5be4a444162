"""The "Cite this change" block of a change page: what a journalist needs to cite one recorded change.

Pure: takes a `Version` (and the one before it), returns values and escaped HTML. Everything that comes
from the archive (URLs, names, hashes, stated dates) is untrusted and is escaped on the way out; the
Internet Archive links are constructed, never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from clausewatch.archive.integrity import recording_of
from clausewatch.models import Version
from clausewatch.site.effective_date import DateCheck, StatedDate, check_stated_date, find_stated_date
from clausewatch.site.escape import block_text, is_web_url

WAYBACK = "https://web.archive.org/web"



@dataclass(frozen=True, slots=True)
class Citation:
    """Everything the "Cite this change" block shows, as plain (unescaped) values."""

    title: str
    permalink: str
    observed_at: datetime
    stated: StatedDate | None
    check: DateCheck
    source_url: str
    commit: str
    snapshot_sha256: str
    wayback_calendar: str
    """`https://web.archive.org/web/<YYYYMMDD>*/<url>`: the captures around that day ('' if no URL)."""
    wayback_nearest: str
    """`https://web.archive.org/web/<YYYYMMDDhhmmss>/<url>`: the capture nearest our observation."""
    site_name: str


def wayback_urls(url: str, moment: datetime) -> tuple[str, str]:
    """The Internet Archive's calendar of captures that day and its capture nearest `moment`.

    Returns ('', '') when `url` is not an http(s) URL: nothing else is ever turned into a link.
    """
    if not is_web_url(url):
        return "", ""
    utc = moment.astimezone(UTC)
    target = quote(url, safe=":/?&=%#+,;@~!$'()*[]")
    return (
        f"{WAYBACK}/{utc.strftime('%Y%m%d')}*/{target}",
        f"{WAYBACK}/{utc.strftime('%Y%m%d%H%M%S')}/{target}",
    )


def build_citation(
    version: Version,
    *,
    permalink: str,
    site_name: str = "Clausewatch",
    previous: Version | None = None,
    substantive: bool = True,
) -> Citation:
    """The citation of the change that produced `version` (after `previous`), at `permalink`."""
    stated = find_stated_date(version.text)
    check = check_stated_date(
        version.observed_at,
        stated,
        previous_observed_at=previous.observed_at if previous else None,
        previous_stated=find_stated_date(previous.text) if previous else None,
        substantive=substantive,
    )
    source = version.provenance.source_url
    calendar, nearest = wayback_urls(source, version.observed_at)
    service = version.service_name or version.service
    document = version.document_name or version.document
    day = version.observed_at.astimezone(UTC).date().isoformat()
    return Citation(
        title=f"{service} {document}: change recorded {day}",
        permalink=permalink,
        observed_at=version.observed_at.astimezone(UTC),
        stated=stated,
        check=check,
        source_url=source,
        commit=version.commit,
        snapshot_sha256=version.provenance.snapshot_sha256,
        wayback_calendar=calendar,
        wayback_nearest=nearest,
        site_name=site_name,
    )


def render_plain(citation: Citation) -> str:
    """A plain-text citation (one paragraph), as a reader would paste it into an article."""
    observed = citation.observed_at.strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"{citation.site_name}. \u201c{citation.title}.\u201d Observed {observed}."]
    if citation.stated is not None:
        parts.append(f"Document states: \u201c{citation.stated.phrase}\u201d.")
    if citation.source_url:
        parts.append(f"Source: {citation.source_url}.")
    parts.append(f"Archive commit {citation.commit}.")
    if citation.snapshot_sha256:
        parts.append(f"Snapshot SHA-256 {citation.snapshot_sha256}.")
    parts.append(f"{citation.permalink}")
    return " ".join(parts)


def _bibtex_value(text: str) -> str:
    """A BibTeX field value: braces and backslashes removed so the entry always parses."""
    return re.sub(r"[{}\\\x00-\x1f]", "", text)


def bibtex_key(citation: Citation) -> str:
    """A stable BibTeX key: `clausewatch-<commit prefix>`."""
    return "clausewatch-" + re.sub(r"[^0-9a-f]", "", citation.commit.lower())[:12]


def render_bibtex(citation: Citation) -> str:
    """A BibTeX `@misc` entry for the change."""
    fields = {
        "title": citation.title,
        "author": citation.site_name,
        "howpublished": f"\\url{{{_bibtex_value(citation.permalink)}}}",
        "year": citation.observed_at.strftime("%Y"),
        "month": citation.observed_at.strftime("%b").lower(),
        "note": "; ".join(
            filter(
                None,
                [
                    f"Observed {citation.observed_at.strftime('%Y-%m-%dT%H:%M:%SZ')}",
                    f"source {citation.source_url}" if citation.source_url else "",
                    f"archive commit {citation.commit}",
                    f"snapshot SHA-256 {citation.snapshot_sha256}" if citation.snapshot_sha256 else "",
                ],
            )
        ),
        "urldate": citation.observed_at.strftime("%Y-%m-%d"),
    }
    lines = [f"@misc{{{bibtex_key(citation)},"]
    for name, value in fields.items():
        shown = value if name == "howpublished" else _bibtex_value(value)
        lines.append(f"  {name} = {{{shown}}},")
    lines.append("}")
    return "\n".join(lines)


def _link(url: str, label: str) -> str:
    if not is_web_url(url) and not url.startswith("/"):
        return block_text(url)
    return f'<a href="{block_text(url)}" rel="nofollow noopener">{block_text(label)}</a>'


_UNKNOWN = '<span class="cw-none">unknown</span>'


def _dates_row(citation: Citation) -> str:
    observed = block_text(citation.observed_at.strftime("%Y-%m-%d %H:%M UTC"))
    if citation.stated is None:
        stated = '<span class="cw-none">none stated</span>'
    else:
        when, phrase = citation.stated.date.isoformat(), citation.stated.phrase
        stated = f"{block_text(when)} (&#8220;{block_text(phrase)}&#8221;)"
    css = "cw-date-flag cw-date-flag--warn" if citation.check.disagrees else "cw-date-flag"
    flag = f'<span class="{css}">{block_text(citation.check.message)}</span>'
    return (
        f"<dt>Observed</dt><dd>{observed}</dd>"
        f"<dt>Date the document states</dt><dd>{stated} {flag}</dd>"
    )


def recorded_by_html(version: Version, repo_url: str = "") -> str:
    """How `version` was recorded (`clausewatch.archive.integrity.recording_of`), as the fact box's
    "Recorded by" value, with what lets a reader verify it: the raw response kept in the repository for
    a tracked version, the source commit of an imported one; a version recorded otherwise says so."""
    found = recording_of(version.author, version.committer, version.provenance.imported_from)
    if found.kind == "imported":
        owner, _, name = found.source.partition("/")
        where = f"{found.source}@{found.source_commit[:12]}"
        linkable = all(re.fullmatch(r"[\w.-]+", part) for part in (owner, name)) and re.fullmatch(
            r"[0-9a-f]{7,64}", found.source_commit)  # a trailer is text anyone could have written
        url = f"https://github.com/{owner}/{name}/commit/{found.source_commit}" if linkable else ""
        link = _link(url, where) if url else f"<code>{block_text(where)}</code>"
        return f'<span class="cw-recorded cw-recorded--imported">Imported</span> from {link}'
    if found.kind == "tracked":
        path = version.provenance.snapshot_path
        snapshot = (f" &middot; {_link(f'{repo_url}/blob/{version.commit}/{path}', 'raw response')} kept in the "
                    "archive" if repo_url and path else "")
        return ('<span class="cw-recorded cw-recorded--tracked">Tracked</span> by the Clausewatch tracker, '
                f"which fetched the page itself{snapshot}")
    return ('<span class="cw-recorded cw-recorded--other">Not by the tracker</span>: committed by '
            f"{block_text(found.author or 'an unknown author')}; check it against the source before citing it")


def render_fact_box(citation: Citation, *, commit_url: str = "", evidence: str = "", recorded: str = "") -> str:
    """The fact box under a change page's title: what a journalist needs to cite the change, and the
    data `cite.js` builds every "Cite this clause" from (HTML fragment, no blank lines inside).

    `commit_url`: the archive commit on the repository's web site ('' when its URL is not configured);
    `evidence`: HTML of the evidence of an imported version (its source snapshot), else the SHA-256 of
    the raw response is shown; `recorded`: HTML of `recorded_by_html` (the row is left out when empty).
    Every value is escaped.
    """
    commit = f"<code>{block_text(citation.commit[:12])}</code>"
    if commit_url and is_web_url(commit_url):
        commit = f'<a href="{block_text(commit_url)}" rel="nofollow noopener">{commit}</a>'
    source = _link(citation.source_url, citation.source_url) or _UNKNOWN
    if citation.wayback_calendar:
        source += (f" &middot; Internet Archive: {_link(citation.wayback_calendar, 'captures that day')}, "
                   f"{_link(citation.wayback_nearest, 'nearest capture')}")
    proof = evidence or (f"raw response SHA-256 <code>{block_text(citation.snapshot_sha256)}</code>"
                         if citation.snapshot_sha256 else _UNKNOWN)
    rows = [
        _dates_row(citation),
        f"<dt>Source</dt><dd>{source}</dd>",
        f"<dt>Archive commit</dt><dd>{commit}</dd>",
        f"<dt>Evidence</dt><dd>{proof}</dd>",
        *([f"<dt>Recorded by</dt><dd>{recorded}</dd>"] if recorded else []),
        f"<dt>Permanent link</dt><dd>{_link(citation.permalink, citation.permalink)}</dd>",
    ]
    data = {"permalink": citation.permalink, "title": citation.title, "site": citation.site_name,
            "observed": citation.observed_at.strftime("%Y-%m-%d %H:%M UTC"), "commit": citation.commit}
    attributes = "".join(f' data-cw-{name}="{block_text(value)}"' for name, value in data.items())
    plain = block_text(render_plain(citation))
    bibtex = block_text(render_bibtex(citation))
    return (
        f'<div class="cw-facts" id="facts"{attributes}>\n'
        f'<dl class="cw-facts-list">{"".join(rows)}</dl>\n'
        '<details class="cw-cite" id="cite-this-change"><summary>Cite this change</summary>'
        f'<p class="cw-cite-label">Plain text</p><pre class="cw-cite-text cw-cite-plain">{plain}</pre>'
        f'<p class="cw-cite-label">BibTeX</p><pre class="cw-cite-text cw-cite-bibtex">{bibtex}</pre></details>\n'
        "</div>\n"
    )


def clause_tools(anchor: str, links: Sequence[tuple[str, str]] = ()) -> str:
    """A card's tools: "Cite this clause" (built by `cite.js` from the fact box and the card: the
    absolute link with this anchor, the quoted sentence, plain text and BibTeX, a copy button), then
    `links`: (label, URL) pairs such as the clause's history or "Suggest commentary"."""
    extra = "".join(f' <a class="cw-card-link" href="{block_text(url)}">{block_text(label)}</a>'
                    for label, url in links if url)
    return (f'<p class="cw-card-tools"><button type="button" class="md-button cw-cite-clause" '
            f'data-cw-anchor="{block_text(anchor)}">Cite this clause</button>{extra}</p>')


def change_facts(
    version: Version,
    previous: Version | None,
    path: str,
    config: Mapping[str, object] | None = None,
    *,
    substantive: bool = True,
    evidence: str = "",
) -> str:
    """The fact box of the change page at site path `path`, with the site's config (`site_url` makes
    the permalink absolute, `site_name` names the publisher, `repo_url` links the archive commit)."""
    config = config or {}
    site_url = str(config.get("site_url") or "")
    permalink = f"{site_url.rstrip('/')}/{path}" if site_url else f"/{path}"
    site_name = str(config.get("site_name") or "Clausewatch")
    citation = build_citation(version, permalink=permalink, site_name=site_name, previous=previous,
                              substantive=substantive)
    repo_url = str(config.get("repo_url") or "").rstrip("/")
    commit_url = f"{repo_url}/commit/{version.commit}" if repo_url else ""
    return render_fact_box(citation, commit_url=commit_url, evidence=evidence,
                           recorded=recorded_by_html(version, repo_url))
