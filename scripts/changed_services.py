"""Print the ids of the services whose declarations changed since BASE (one per line).

The pull-request workflow fetches each of them twice with `clausewatch check --fetch SERVICE`.

Example:
    python scripts/changed_services.py origin/main
"""

from __future__ import annotations

import sys
from pathlib import Path

from clausewatch.archive.sources import changed_files
from clausewatch.scraper.declarations import iter_declaration_files, service_id


def main(base: str, root: Path) -> None:
    services = root / "services"
    declared = {path.name for path in iter_declaration_files(services)} if services.is_dir() else set()
    for name in changed_files(root, base, "services/"):
        path = Path(name)
        if path.parent.as_posix() == "services" and path.name in declared:
            print(service_id(path))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1], Path.cwd())
