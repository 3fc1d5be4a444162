"""The generator's per-document cache: frozen dataclasses stored as tagged JSON.

`write_cache_entry(path, key, value)` stores a value under a key (a hex digest of what it depends on);
`read_cache_entry(path, key)` gives it back only when the key matches, else None. Only the domain
classes (`clausewatch.models`) and the site's cached views (`views.CACHED_CLASSES`) can be decoded:
nothing is executed.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from clausewatch import models
from clausewatch.errors import BuildError
from clausewatch.site.views import CACHED_CLASSES
from clausewatch.site.write import atomic_write


def read_cache_entry(path: Path, key: str) -> Any | None:
    """The value cached at `path` under `key`, or None if absent, stale or unreadable."""
    try:
        with path.open("rb") as stream:
            if stream.readline().rstrip(b"\n") != key.encode("utf-8"):
                return None  # stale: the value is not decoded at all
            raw = stream.read()
    except OSError:
        return None
    classes = _classes()
    try:
        data = json.loads(raw.decode("utf-8"), object_hook=lambda obj: _decode(obj, classes))
    except (ValueError, KeyError, TypeError):
        return None
    return data.get("value") if isinstance(data, dict) else None


def write_cache_entry(path: Path, key: str, value: Any) -> None:
    """Store `value` (frozen dataclasses, tuples, dicts, str, bytes, datetimes) under `key`."""
    if "\n" in key:
        raise BuildError(f"cache key for '{path}' holds a newline",
                         fix="cache keys are hex digests: report a bug in the caller")
    text = json.dumps({"value": _encode_value(value)}, ensure_ascii=False, separators=(",", ":"))
    atomic_write(path, f"{key}\n{text}".encode())


def prune_cache(cache_dir: Path, keep: set[str]) -> int:
    """Delete the cache files (`*.json` under `cache_dir`) whose relative path is not in `keep`."""
    removed = 0
    for path in sorted(cache_dir.rglob("*.json")) if cache_dir.is_dir() else []:
        if path.relative_to(cache_dir).as_posix() not in keep:
            path.unlink()
            removed += 1
    return removed


def _classes() -> dict[str, type]:
    found = [*CACHED_CLASSES]
    found += [cls for cls in vars(models).values() if isinstance(cls, type) and dataclasses.is_dataclass(cls)]
    return {cls.__name__: cls for cls in found}


_SCALARS = (str, int, float, bool, type(None))


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type (None for other types), looked up once per type."""
    if cls not in _FIELDS:
        is_data = dataclasses.is_dataclass(cls)
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_data else None
    return _FIELDS[cls]


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _encode_value(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    names = _field_names(type(value))
    if names is not None:
        fields = {name: _encode_value(getattr(value, name)) for name in names}
        return {"!": type(value).__name__, **fields}
    if isinstance(value, tuple | list):
        return [_encode_value(item) for item in value]
    if isinstance(value, dict):
        return {"!map": {str(k): _encode_value(v) for k, v in value.items()}}
    if isinstance(value, bytes):
        return {"!bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"!datetime": value.isoformat()}
    return value


def _decode(obj: dict[str, Any], classes: dict[str, type]) -> Any:
    """One JSON object back to its value (called innermost first by `json.loads`)."""
    if "!" in obj:
        fields = {k: tuple(v) if type(v) is list else v for k, v in obj.items() if k != "!"}
        return classes[obj["!"]](**fields)
    if "!map" in obj:
        return obj["!map"]
    if "!bytes" in obj:
        return base64.b64decode(obj["!bytes"])
    if "!datetime" in obj:
        return datetime.fromisoformat(obj["!datetime"])
    return obj
