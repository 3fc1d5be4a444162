"""Bring Open Terms Archive declarations (`<Service>.json`) into `services/`.

The scraper's loader reads OTA JSON declarations as they are, current (`terms`) and older (`documents`)
format (`clausewatch.scraper.ota_declarations`), so nothing is translated here: each file is checked by
that same loader, and a copy holding only the documents it accepts is written to
`services/<service-id>.json`, in the format it came in. What cannot be used is reported with the loader's
own message (`file: key: problem — fix`). Documents with OTA JavaScript filters are imported and
tracked without them: each such filter is a warning. A service's `<Service>.history.json` (its past
declarations) is copied beside it, for later imports of its history (`import ota --declarations`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clausewatch.errors import ConfigError
from clausewatch.safe_load import load_json, read_text_file
from clausewatch.scraper.declarations import MAX_FILE_BYTES, service_id, validate_declarations
from clausewatch.scraper.ota_declarations import HISTORY_SUFFIX, filter_warnings, history_errors, history_file
from clausewatch.workspace import Workspace


@dataclass(frozen=True, slots=True)
class DeclarationsReport:
    """What `import ota-declarations` did."""

    written: tuple[str, ...]
    """Files written, relative to the workspace (`services/zoom.json`)."""
    documents: int
    """Documents declared by the files written."""
    rejected: tuple[str, ...]
    """Why documents or files could not be used: `file: key: problem — fix`."""
    warnings: tuple[str, ...] = ()
    """What was imported but cannot fully run here (OTA JavaScript filters)."""

    def summary(self) -> str:
        """One line for the terminal."""
        histories = sum(name.endswith(HISTORY_SUFFIX) for name in self.written)
        return (f"wrote {len(self.written) - histories} declaration file(s) with {self.documents} document(s) "
                f"and {histories} history file(s); "
                f"{len(self.rejected)} problem(s) left out, {len(self.warnings)} warning(s)")


def import_ota_declarations(workspace: Workspace, source_dir: Path) -> DeclarationsReport:
    """Copy the usable documents of every OTA declaration in `source_dir` into the workspace's services/."""
    candidates = sorted(p for p in source_dir.glob("*.json") if not p.name.endswith(".history.json"))
    if not candidates:
        raise ConfigError(f"'{source_dir}' holds no Open Terms Archive declaration (*.json)",
                          fix="pass the declarations/ folder of an OTA collection, e.g. contrib-declarations")
    files, refused = _plain_files(candidates)
    accepted, rejected, warnings = _check_with_loader(files) if files else ({}, [], [])
    rejected = refused + rejected
    workspace.services.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    count = 0
    for path in files:
        service = service_id(path)
        names = accepted.get(path.name, set())  # by file: `zoom.json` never gets `Zoom.json`'s documents
        if not names:
            continue
        clash = [p.name for p in workspace.services.glob(f"{service}.y*ml")]
        if clash:
            rejected.append(f"{path}: (file): service '{service}' is already declared in services/{clash[0]} "
                            "— remove one of the two")
            continue
        data = read_declaration(path)
        key = "documents" if "documents" in data else "terms"
        kept = {name: decl for name, decl in data[key].items() if str(name) in names}
        target = workspace.services / f"{service}.json"
        target.write_text(json.dumps({**data, key: kept}, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        written.append(f"services/{target.name}")
        past = history_file(path)
        if past.is_file():
            shutil.copyfile(past, workspace.services / f"{service}{HISTORY_SUFFIX}")
            written.append(f"services/{service}{HISTORY_SUFFIX}")
        count += len(kept)
    return DeclarationsReport(tuple(written), count, tuple(rejected), tuple(warnings))


def _plain_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The regular files of `paths` small enough to read, and a problem line for each other one (a
    symbolic link could make the import copy, and quote, a file from elsewhere on the machine)."""
    files, problems = [], []
    for path in paths:
        if path.is_symlink() or not path.is_file():
            problems.append(f"{path}: (file): is a symbolic link or not a regular file — copy the file itself")
        elif path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: (file): is larger than {MAX_FILE_BYTES:,} bytes — "
                            "an OTA declaration is a few KB: check the file")
        else:
            files.append(path)
    return files, problems


def _check_with_loader(files: list[Path]) -> tuple[dict[str, set[str]], list[str], list[str]]:
    """Run the scraper's loader over copies of `files`: accepted terms types per service id, problems and
    warnings (JavaScript filters)."""
    with tempfile.TemporaryDirectory(prefix="clausewatch-ota-declarations-") as tmp:
        folder = Path(tmp) / "services"
        folder.mkdir()
        for path in files:
            shutil.copyfile(path, folder / path.name)
        documents, errors = validate_declarations(folder)
        for path in files:
            past = history_file(path)
            if past.is_file():
                shutil.copyfile(past, folder / past.name)
        errors += history_errors(folder)
    accepted: dict[str, set[str]] = {}
    for document in documents:
        accepted.setdefault(Path(document.source_file).name, set()).add(document.document_name)
    origin = files[0].parent
    return (accepted, [_relocate(line, origin) for line in errors],
            [_relocate(line, origin) for line in filter_warnings(documents)])


def _relocate(line: str, origin: Path) -> str:
    """`services/Zoom.json: key: …` (the loader's temporary copy) → `<source dir>/Zoom.json: key: …`."""
    prefix, sep, rest = line.partition("/")
    return f"{origin}/{rest}" if sep and prefix == "services" else line


def read_declaration(path: Path) -> dict[str, Any]:
    """One OTA declaration file as data (for tests and tools); raises ConfigError when it is not JSON.
    Read as untrusted (`clausewatch.safe_load`): no symbolic link, size and depth limits."""
    try:
        data = load_json(read_text_file(path, inside=path.parent, max_bytes=MAX_FILE_BYTES),
                         max_bytes=MAX_FILE_BYTES)
    except ConfigError as exc:
        raise ConfigError(f"'{path}' {exc.problem}", fix="pass an OTA declaration file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"'{path}': expected a JSON object", fix="pass an OTA declaration file")
    return data
