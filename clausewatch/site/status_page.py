"""The site's status page (`status.md`): documents failing in the last tracking run and versions
held for review, from `scraper.quarantine.status_report`. Messages quote fetched pages and URLs, so
every cell is escaped (`escape.table_cell`).
"""

from __future__ import annotations

from clausewatch.scraper.quarantine import StatusReport, quarantine_dir, status_report
from clausewatch.site.escape import table_cell
from clausewatch.workspace import Workspace


def render_status_page(report: StatusReport) -> str:
    """The site's status page (`status.md`) from `status_report`: failing documents (why, since when)
    and versions held for review. Messages quote fetched pages and URLs, so every cell is escaped."""
    lines = ["---", "title: Tracking status", "---", "", "# Tracking status", ""]
    lines += [f"Last tracking run: {table_cell(report.last_run or 'never')}.", ""]
    lines += ["## Failing documents", ""]
    if report.failing:
        lines += ["| document | reason | since | runs | message |", "|---|---|---|---|---|"]
        lines += [f"| {table_cell(row.key)} | {table_cell(row.reason)} | "
                  f"{table_cell(row.since)} | {row.runs} | {table_cell(row.message)} |"
                  for row in report.failing]
    else:
        lines.append("None: every document was fetched in the last run.")
    lines += ["", "## Held for review", ""]
    if report.held:
        lines += ["A drastic change is held until a maintainer releases it (`clausewatch release`).", "",
                  "| document | reason | since | runs | message |", "|---|---|---|---|---|"]
        lines += [f"| {table_cell(row.key)} | {table_cell(row.reason)} | "
                  f"{table_cell(row.first_held)} | {row.runs} | "
                  f"{table_cell(row.message)} |" for row in report.held]
    else:
        lines.append("Nothing is held.")
    return "\n".join(lines) + "\n"


def status_page_files(workspace: Workspace) -> dict[str, str]:
    """`{"status.md": page}` once the workspace has tracking runs or held versions, else nothing."""
    if not (workspace.state / "runs").is_dir() and not quarantine_dir(workspace).is_dir():
        return {}
    return {"status.md": render_status_page(status_report(workspace))}
