"""Untrusted files in, untrusted text out: YAML and JSON with hard limits, workspace files read without
following links, and text from the outside made safe for a terminal.

Declarations (`services/`), commentary front matter and Open Terms Archive JSON come from pull requests
and other people's repositories. Read through here, a file can cost at most its own size:

- **YAML** (`load_yaml`): PyYAML's safe loader, plus: aliases (`*name`, and so merge keys) are refused
  (a 468-byte "billion laughs" file otherwise expands to gigabytes), nesting is limited to `MAX_DEPTH`
  levels (5,000 `[` otherwise end in a `RecursionError`), a key written twice is an error (a second
  `url:` further down cannot silently win), and dates stay text (`2026-02-30` is not a crash: the
  caller checks its value like any other);
- **JSON** (`load_json`): the same depth limit (checked before parsing), duplicate keys refused, and
  `NaN`/`Infinity` refused;
- both refuse input larger than `max_bytes`, and every error is a `ConfigError` whose problem is ONE
  line: what is wrong, where (line and column), and at most the offending line, cut to `QUOTE_CHARS`;
- `read_text_file` reads a file of the workspace only if it is a regular file inside its folder (not a
  symbolic link, nor under one: a link in `services/` must not make the loader read, and quote in its
  errors, a file elsewhere on the machine), not larger than `max_bytes`, and UTF-8.

`terminal_text` is for the other direction: text that came from outside (an HTTP reason phrase, a page
title in an error message) printed on a terminal shows control characters as visible escapes, so it
cannot move the cursor, retitle the window or hide what precedes it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from clausewatch.errors import ConfigError

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted in a YAML or JSON file (real declarations use 6)."""
QUOTE_CHARS = 80
"""At most this much of the offending line is quoted in an error message."""

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class _Refused(yaml.MarkedYAMLError):
    """A construct the untrusted loader does not accept (an alias, too deep, a key written twice)."""


class UntrustedYAMLLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` without aliases, nesting deeper than `MAX_DEPTH`, duplicate keys or timestamps."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(None, None, "uses an alias (`*name`): aliases and merge keys are not accepted "
                           "in this file, write the value out", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(None, None, f"nests lists or mappings more than {MAX_DEPTH} levels deep",
                           self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_scalar(key_node)
                if key in seen:
                    raise _Refused(None, None, f"the key '{clip(str(key))}' is written twice",
                                   key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


UntrustedYAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, *, max_bytes: int) -> Any:
    """The data of a YAML document from an untrusted file; ConfigError (one line) when it is too large,
    invalid, or uses what `UntrustedYAMLLoader` refuses."""
    _check_size(text, max_bytes)
    loader: UntrustedYAMLLoader | None = None
    try:
        loader = UntrustedYAMLLoader(text)  # its reader refuses some characters (NUL, ESC) at once
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(f"is not valid YAML: {_describe_yaml(exc, text)}",
                          fix="correct the YAML at that line") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ConfigError(f"is not valid YAML: {clip(str(exc) or type(exc).__name__, 200)}",
                          fix="correct the YAML") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_json(text: str, *, max_bytes: int) -> Any:
    """The data of an untrusted JSON document; ConfigError (one line) when it is too large, nested
    deeper than `MAX_DEPTH`, invalid, or has a duplicate key or a NaN/Infinity."""
    _check_size(text, max_bytes)
    depth, line = json_depth(text)
    if depth > MAX_DEPTH:
        raise ConfigError(f"is not accepted: it nests arrays or objects more than {MAX_DEPTH} levels deep "
                          f"(line {line})", fix="flatten the data")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        near = _quote(text.splitlines()[exc.lineno - 1] if exc.lineno <= len(text.splitlines()) else "")
        raise ConfigError(f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}{near})",
                          fix="correct the JSON at that line") from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"is not valid JSON: {clip(str(exc), 200)}",
                          fix="correct the JSON") from None


def json_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in JSON `text` (strings skipped), and the line where it is
    reached; linear, so a hostile file is measured before the recursive parser sees it."""
    stripped = _JSON_STRING.sub('""', text)
    depth = deepest = 0
    at = 0
    for match in _JSON_BRACKET.finditer(stripped):
        depth += 1 if match.group() in "[{" else -1
        if depth > deepest:
            deepest, at = depth, match.start()
    return deepest, stripped.count("\n", 0, at) + 1


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key '{clip(key)}' is written twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_size(text: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ConfigError(f"is larger than the limit of {max_bytes:,} bytes ({size:,} bytes)",
                          fix="keep the file small: split it, or remove what does not belong in it")


def _describe_yaml(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = " ".join(str(exc.problem or exc.context or "invalid").split())
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return clip(problem, 200)
    lines = text.splitlines()
    line = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    return f"{clip(problem, 200)} (line {mark.line + 1}, column {mark.column + 1}{_quote(line)})"


def _quote(line: str) -> str:
    shown = clip(line.strip())
    return f": {shown}" if shown else ""


def clip(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` on one line, control characters escaped, cut to `limit` characters (with `…`)."""
    flat = terminal_text(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def terminal_text(text: str) -> str:
    """`text` with every control character (but line breaks and tabs) and every bidirectional override
    shown as a visible escape (`\\x1b`, `\\u202e`): safe to print on a terminal."""
    return _TERMINAL_UNSAFE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def read_text_file(path: Path, *, inside: Path, max_bytes: int) -> str:
    """The UTF-8 text of the regular file `path` in the folder `inside`; ConfigError (one line) when it is
    a symbolic link or lies under one, is not a regular file, is larger than `max_bytes` or not UTF-8."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"cannot be read: {clip(str(exc))}", fix="check that the file exists") from None
    if path.is_symlink() or not real.is_relative_to(inside.resolve()):
        raise ConfigError("is a symbolic link (or lies under one): it is not read",
                          fix="put the file itself in the folder, not a link to it")
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ConfigError(f"cannot be read: {clip(exc.strerror or str(exc))}",
                          fix="check the file's permissions") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError("is not a regular file", fix="put a plain text file there")
        if info.st_size > max_bytes:
            raise ConfigError(f"is larger than the limit of {max_bytes:,} bytes ({info.st_size:,} bytes)",
                              fix="keep the file small: split it, or remove what does not belong in it")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ConfigError(f"is larger than the limit of {max_bytes:,} bytes",
                          fix="keep the file small: split it, or remove what does not belong in it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start})", fix="save it as UTF-8 text") from None
