"""The `clausewatch` command: thin verb subcommands, each parsing options and calling one function.
Over 400 lines on purpose: every command, its options, help and example in one place.

\b
Exit codes (for every command):
  0  success (for `diff`: the texts have no substantive change)
  1  some work failed (`track`: at least one document failed; `check`: errors found;
     `diff`: substantive changes found)
  2  bad input: a declaration, commentary file, option or workspace is wrong
  3  the archive is missing, not a git repository, locked or inconsistent
  4  fetching or extracting failed (single-document commands such as `extract`)
  5  generating pages or building the site failed
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from clausewatch.errors import ArchiveError, BuildError, ClausewatchError, ConfigError, ExtractError, FetchError
from clausewatch.workspace import Workspace

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_CODES: dict[type[ClausewatchError], int] = {
    ClausewatchError: 1,
    ConfigError: 2,
    ArchiveError: 3,
    FetchError: 4,
    ExtractError: 4,
    BuildError: 5,
}
"""The exit code of each error class (a subclass takes its nearest listed base's): see "Exit codes" above."""


MAX_SECONDS = 3600.0
"""The largest `--timeout` and `--host-delay` (an hour; `inf` and `nan` are refused as out of range)."""


def _finite(param: click.Parameter, value: float) -> float:
    """`value` if it is a number of seconds (FloatRange lets `nan` through: it compares false)."""
    if value != value:
        raise click.BadParameter("nan is not a number of seconds", param=param)
    return value


def exit_code_of(error: ClausewatchError) -> int:
    """The exit code the CLI gives `error`: that of its class or nearest listed base class."""
    return next(EXIT_CODES[cls] for cls in type(error).__mro__ if cls in EXIT_CODES)


class ClausewatchGroup(click.Group):
    """The command group: a ClausewatchError raised by any (sub)command is printed on stderr as click
    prints its own errors (`Error: <message>`), then the command exits with the error's code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ClausewatchError as exc:
            from clausewatch.safe_load import terminal_text  # lazy: start-up stays fast

            click.echo(f"Error: {terminal_text(str(exc))}", err=True)
            ctx.exit(exit_code_of(exc))


@click.group(cls=ClausewatchGroup, context_settings=CONTEXT_SETTINGS, epilog=__doc__.split("\n\n", 1)[1])
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The workspace: the folder holding services/, archive/, commentary/, docs/, mkdocs.yml.",
)
@click.version_option(package_name="clausewatch")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Clausewatch: a public record of how terms of service change.

    \b
    Example:
        clausewatch demo --out demo-site
        clausewatch --root my-archive track --only acme/terms-of-service
    """
    ctx.obj = Workspace(root.resolve())


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new, empty workspace in DIRECTORY (a git repository with services/, archive/, ...).

    \b
    Example:
        clausewatch init my-archive
    """
    from clausewatch.commands.init import init_workspace  # lazy: start-up stays fast

    init_workspace(directory)
    click.echo(f"Created a Clausewatch workspace in {directory}", err=True)


@cli.command()
@click.option("--only", "only", multiple=True, metavar="SERVICE[/DOCUMENT]", help="Track only these.")
@click.option(
    "--allow-private-addresses",
    is_flag=True,
    help="Allow fetching loopback and private addresses (the demo and tests need it; never in CI).",
)
@click.option("--shard", metavar="K/N", help="Track only shard K of N (1-based), for parallel CI jobs.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failing document.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=MAX_SECONDS), default=30.0, show_default=True,
              callback=lambda _ctx, param, value: _finite(param, value),
              help="Read timeout of each fetch, in seconds; a whole fetch (connecting, headers, body) "
                   "is limited to 4 times this.")
@click.option("--host-delay", type=click.FloatRange(min=0.0, max=MAX_SECONDS), default=1.0, show_default=True,
              callback=lambda _ctx, param, value: _finite(param, value),
              help="Seconds between two requests to the same host (hosts are fetched in parallel).")
@click.pass_obj
def track(workspace: Workspace, only: tuple[str, ...], allow_private_addresses: bool, shard: str | None,
          fail_fast: bool, timeout: float, host_delay: float) -> None:
    """Fetch every declared document and record those whose normalized text changed.

    One failing document never stops the run; a summary ends it, and the exit code is 1 if any failed.
    A machine-readable report is written to .clausewatch/runs/latest.json.

    \b
    Example:
        clausewatch track --only acme/terms-of-service
    Exit codes: 0 all fetched, 1 some documents failed (refused or held for review: see
    `clausewatch status`), 2 bad declarations, 3 archive problem (missing, locked by another run).
    """
    from clausewatch.scraper.track import parse_shard, track_documents  # lazy: start-up stays fast

    report = track_documents(
        workspace,
        only=only,
        allow_private=allow_private_addresses,
        shard=parse_shard(shard),
        fail_fast=fail_fast,
        timeout=timeout,
        host_delay=host_delay,
    )
    if report.failed:
        sys.exit(1)


@cli.command()
@click.option("--fetch", "fetch_service", metavar="SERVICE", help="Also fetch SERVICE's documents twice.")
@click.option("--allow-private-addresses", is_flag=True, help="With --fetch: allow loopback addresses.")
@click.option("--since", metavar="COMMIT",
              help="Also fail when a commit after COMMIT changes archive/ and is not the tracker's "
                   "(the pull-request check: a version must never arrive by hand).")
@click.pass_obj
def check(workspace: Workspace, fetch_service: str | None, allow_private_addresses: bool,
          since: str | None) -> None:
    """Validate services/ and commentary/: every error as `file: key: problem`, then exit 1 if any.

    \b
    Example:
        clausewatch check
        clausewatch check --fetch acme
        clausewatch check --since origin/main    # in a pull request: archive/ untouched by hand
    """
    from clausewatch.commands.check import check_workspace  # lazy: start-up stays fast

    result = check_workspace(workspace, fetch_service=fetch_service, allow_private=allow_private_addresses,
                             since=since)
    from clausewatch.safe_load import terminal_text  # lazy: start-up stays fast

    for line in result.warnings:  # lines quote file contents and commit messages: shown, never sent raw
        click.echo(terminal_text(f"warning: {line}"), err=True)
    for line in result.errors:
        click.echo(terminal_text(line), err=True)
    if result.errors:
        click.echo(f"{len(result.errors)} error(s).", err=True)
        sys.exit(1)
    click.echo("OK", err=True)


@cli.command()
@click.argument("key", metavar="SERVICE/DOCUMENT")
@click.argument("change", metavar="DATE")
@click.option("--clause", "clause_id", metavar="ID", help="The clause id (the change page's #anchor).")
@click.pass_obj
def annotate(workspace: Workspace, key: str, change: str, clause_id: str | None) -> None:
    """Write a new commentary file for one change (DATE: YYYY-MM-DD[-N] or a commit id) and print its path.

    The file is pre-filled with the front matter for that change (and clause); it is never
    overwritten. Edit it, run `clausewatch check`, then open a pull request (see CONTRIBUTING.md).

    \b
    Example:
        clausewatch annotate acme/terms-of-service 2026-03-10 --clause arbitration
    """
    from clausewatch.commentary.template import write_commentary_template  # lazy: start-up stays fast

    path = write_commentary_template(workspace, key, change, clause_id)
    click.echo(str(path.relative_to(workspace.root)) if path.is_relative_to(workspace.root) else str(path))


@cli.command()
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--select", multiple=True, help="CSS selector of the document's content (repeatable).")
@click.option("--remove", multiple=True, help="CSS selector of parts to drop (repeatable).")
@click.option("--base-url", help="Base URL to resolve relative links against.")
@click.option("--allow-private-addresses", is_flag=True, help="Allow fetching loopback addresses.")
def extract(source: str, select: tuple[str, ...], remove: tuple[str, ...], base_url: str | None,
            allow_private_addresses: bool) -> None:
    """Print the Markdown the tracker would record from FILE_OR_URL.

    \b
    Example:
        clausewatch extract page.html --select main --remove nav
        clausewatch extract https://example.com/terms --select "#terms"
    """
    from clausewatch.commands.extract import extract_source  # lazy: start-up stays fast

    click.echo(extract_source(source, select=select, remove=remove, base_url=base_url,
                              allow_private=allow_private_addresses), nl=False)


@cli.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              show_default=True)
def diff(old: Path, new: Path, fmt: str) -> None:
    """Clause diff of two Markdown files. Exit 0 when nothing substantive changed, 1 otherwise.

    \b
    Example:
        clausewatch diff old.md new.md --format json
    """
    from clausewatch.diff.compare import diff_texts  # lazy: start-up stays fast
    from clausewatch.diff.render import diff_to_json, render_text  # lazy: start-up stays fast
    from clausewatch.diff.topics import load_topics, tag_diff  # lazy: start-up stays fast
    from clausewatch.site.diff_markdown import render_markdown  # lazy: start-up stays fast

    # tagged exactly as the site tags a change (site/document.py `_tagged`): same rules, same function
    result = tag_diff(diff_texts(_read_markdown(old), _read_markdown(new)), load_topics())
    if fmt == "json":
        click.echo(json.dumps(diff_to_json(result), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(render_markdown(result))
    else:
        click.echo(render_text(result))
    sys.exit(1 if result.summary.substantive else 0)


def _read_markdown(path: Path) -> str:
    """A text file for `clausewatch diff`; ConfigError when it is not UTF-8 text (a binary file, say)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"'{path}' is not UTF-8 text (byte {exc.start} cannot be decoded): "
                          "`clausewatch diff` compares Markdown or plain text files",
                          fix="pass two text files, e.g. `clausewatch extract` output saved as .md") from None
    if "\x00" in text:
        raise ConfigError(f"'{path}' holds NUL bytes: it is a binary file, not text",
                          fix="pass two text files, e.g. `clausewatch extract` output saved as .md")
    return text


@cli.command()
@click.argument("key", metavar="SERVICE/DOCUMENT")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def log(workspace: Workspace, key: str, fmt: str) -> None:
    """Recorded versions of SERVICE/DOCUMENT, newest first.

    \b
    Example:
        clausewatch log acme/terms-of-service --format json
    """
    from clausewatch.commands.log import log_document  # lazy: start-up stays fast

    entries = log_document(workspace, key)
    if fmt == "json":
        click.echo(json.dumps({"versions": [e.to_json() for e in entries]}, indent=2, ensure_ascii=False))
        return
    for entry in entries:
        click.echo(f"{entry.date}  {entry.commit[:10]}  {entry.version_class:<11}  {entry.summary_line}")


@cli.command()
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the site (default: site/ in the workspace).")
@click.option("--timings", is_flag=True, help="Print the time of each step on stderr.")
@click.option("--full", is_flag=True,
              help="Rebuild every page and the whole search index, even when only some pages changed.")
@click.pass_obj
def build(workspace: Workspace, site_dir: Path | None, timings: bool, full: bool) -> None:
    """Generate pages from the archive and commentary, then build the site (MkDocs, strict).

    A rebuild of the same site folder renders only the pages that changed and indexes new pages
    apart, unless mkdocs.yml, the theme or the hand-written pages changed (then all is rebuilt).

    \b
    Example:
        clausewatch build --site-dir public --timings
        clausewatch build --full     # e.g. nightly: every page checked and indexed again
    """
    from clausewatch.site.build import build_site, site_url_warning  # lazy: start-up stays fast

    warning = site_url_warning(workspace)
    if warning:
        click.echo(f"Warning: {warning}", err=True)
    out = build_site(workspace, site_dir or workspace.root / "site", timings=timings, full=full)
    click.echo(str(out))


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.pass_obj
def serve(workspace: Workspace, port: int) -> None:
    """Generate pages, build the site and serve it on http://127.0.0.1:PORT/.

    \b
    Example:
        clausewatch serve --port 8080
    """
    from clausewatch.site.build import build_site  # lazy: start-up stays fast
    from clausewatch.site.serve import serve_site  # lazy: start-up stays fast

    site_dir = build_site(workspace, workspace.root / "site", timings=False)
    serve_site(site_dir, port)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-site"),
              show_default=True, help="Where to write the demo workspace and its built site.")
@click.option("--serve", "serve_after", is_flag=True, help="Serve the built site afterwards.")
@click.option("--port", default=8000, show_default=True, help="Port for --serve.")
def demo(out: Path, serve_after: bool, port: int) -> None:
    """Offline demo: track a fictional service over several rounds and build its site.

    A local server on 127.0.0.1 serves the service's terms and privacy policy; between rounds it
    rewrites them (an AI-training licence, a consent promise, tracking-parameter churn that must record
    nothing, a renumbering). The workspace and the built site end up in --out.

    \b
    Example:
        clausewatch demo --out demo-site --serve
    """
    from clausewatch.commands.demo import run_demo  # lazy: start-up stays fast

    site_dir = run_demo(out)
    click.echo(f"Demo site built in {site_dir} (open {site_dir / 'index.html'})")
    if serve_after:
        from clausewatch.site.serve import serve_site  # lazy: start-up stays fast

        serve_site(site_dir, port)


@cli.command()
@click.argument("key", metavar="SERVICE/DOCUMENT")
@click.option("--discard", is_flag=True, help="Drop the held versions instead of recording them.")
@click.pass_obj
def release(workspace: Workspace, key: str, discard: bool) -> None:
    """Record the newest version held for review of SERVICE/DOCUMENT (or --discard the held versions).

    A drastic change (most clauses gone, text shrunk below half or grown past 3x) is held in
    .clausewatch/quarantine/ instead of recorded; `clausewatch status` lists them.

    \b
    Example:
        clausewatch status
        clausewatch release acme/terms-of-service
    """
    from clausewatch.archive.read import open_archive  # lazy: start-up stays fast
    from clausewatch.scraper import quarantine  # lazy: start-up stays fast

    if discard:
        count = quarantine.discard(workspace, key)
        click.echo(f"Discarded {count} held version(s) of {key}.", err=True)
        return
    commit = quarantine.release(workspace, key, open_archive(workspace.archive))
    click.echo(f"Recorded the held version of {key} as {commit[:10]}.", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def status(workspace: Workspace, fmt: str) -> None:
    """Documents failing in the last `track` run (why, since when) and versions held for review.

    Exit code 0 when nothing fails and nothing is held, 1 otherwise.

    \b
    Example:
        clausewatch status --format json
    """
    from clausewatch.safe_load import terminal_text as shown  # lazy: start-up stays fast
    from clausewatch.scraper.quarantine import status_report  # lazy: start-up stays fast

    report = status_report(workspace)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:  # messages quote servers and pages: control characters are shown, never sent to the terminal
        click.echo(shown(f"Last run: {report.last_run or 'never'}"))
        for failing in report.failing:
            click.echo(shown(f"FAILING {failing.key} [{failing.reason}] since {failing.since} "
                             f"({failing.runs} run(s)): {failing.message}"))
        for held in report.held:
            click.echo(shown(f"HELD    {held.key} [{held.reason}] since {held.first_held}: "
                             f"{held.message}\n        release: clausewatch release {held.key}"))
    sys.exit(0 if report.all_clear else 1)


@cli.group("import")
def import_group() -> None:
    """Import recorded history or declarations from Open Terms Archive (ODC-BY: attribution is kept).

    \b
    Example:
        clausewatch import ota ota-contrib-versions.bundle --source OpenTermsArchive/contrib-versions
        clausewatch import ota-declarations ../contrib-declarations/declarations
    """


@import_group.command("ota")
@click.argument("repo", type=click.Path(exists=True, path_type=Path))
@click.option("--only", "only", multiple=True, metavar='"SERVICE/TERMS TYPE"',
              help="Import only this document (or a whole SERVICE, or an archive id); repeatable.")
@click.option("--source", metavar="OWNER/REPOSITORY",
              help="Name recorded in the Imported-From trailers (default: from the clone's origin remote URL, "
                   "e.g. OpenTermsArchive/contrib-versions; a bundle or a clone without a remote is recorded "
                   "with no owner: pass --source for them).")
@click.option("--declarations", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="The OTA declarations folder the versions were recorded with (with its "
                                  "*.history.json): each version gets the source URL in force at its date.")
@click.pass_obj
def import_ota_command(workspace: Workspace, repo: Path, only: tuple[str, ...], source: str | None,
                       declarations: Path | None) -> None:
    """Replay an OTA versions repository (a clone or a git bundle) into the archive, oldest first.

    One commit per version that changed once normalized, at its original observation time, with the
    source commit in an Imported-From trailer and OTA's snapshots in Imported-Snapshot. Run it again to
    import only what is new (also after OTA rewrote its history).

    \b
    Example:
        clausewatch import ota ../contrib-versions
        clausewatch import ota ota-contrib-versions.bundle --source OpenTermsArchive/contrib-versions \\
            --only "Zoom/Terms of Service" --only Xanga
        clausewatch import ota ../demo-versions --declarations ../demo-declarations/declarations
    """
    from clausewatch.importer.ota import import_ota  # lazy: start-up stays fast

    report = import_ota(workspace, repo, only=only, source=source, declarations=declarations,
                        progress=lambda line: click.echo(line, err=True))
    click.echo(report.summary())


@import_group.command("ota-declarations")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
def import_ota_declarations_command(workspace: Workspace, directory: Path) -> None:
    """Copy OTA declarations (DIRECTORY/*.json) into services/, leaving out what cannot be tracked.

    The files stay in OTA's JSON format, current or older (the tracker reads it as it is), with their
    history files; documents the tracker cannot use (unknown keys, bad selectors) are listed on stderr,
    and OTA JavaScript filters, which cannot run here, are warnings (the documents are tracked without
    them). Exit code 1 if any document was left out.

    \b
    Example:
        clausewatch import ota-declarations ../contrib-declarations/declarations
    """
    from clausewatch.importer.declarations import import_ota_declarations  # lazy: start-up stays fast

    report = import_ota_declarations(workspace, directory)
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    for line in report.rejected:
        click.echo(line, err=True)
    click.echo(report.summary())
    if report.rejected:
        sys.exit(1)


def main() -> None:
    cli(prog_name="clausewatch")
