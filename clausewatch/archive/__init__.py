"""The git archive: the only package that runs git (every git process starts in `archive.git`).

Layout inside the archive repository (by default the workspace's own repository, `archive/` inside it;
a separate repository is allowed by making `archive/` its own git repository):

    archive/<service>/<document>.md                     the recorded text, one commit per version
    archive/_snapshots/<service>/<document>/<sha256>.gz the raw response behind each version (gzip)

Every commit touches exactly one document (its text, and its snapshot if there is one). Its author and
committer are the bot, its author and committer dates the observation time; its message is a subject
line, a blank line and the provenance as trailers (`Service`, `Document`, `Service-Name`,
`Document-Name`, `Source-URL`, `Fetched-At`, `HTTP-Status`, `Snapshot-SHA256`, `Snapshot-Path`,
`Declaration-SHA256`; imported versions `Imported-From`, `Imported-Path`, `Imported-Snapshot`,
`Re-Extraction`), one line each: the format is written and read in `archive.message` only.

Writes use plumbing (hash-object, a private index, commit-tree) or one `git fast-import` per batch, then
a compare-and-swap `update-ref`, so a process killed at any moment leaves either the old branch tip or
the new one, never half a commit; the checked-out files are then brought in line with the branch (and
re-synced at the next run if the process died in between). Reads use one `git log --raw` per query and
one `git cat-file --batch` process for all blobs: no process per version.

Modules (import from them directly; this package re-exports nothing):

- `git` — the one git runner (`git`, `git_process`), `BlobReader`, `fast_import`;
- `message` — commit messages and trailers, written and parsed (pure);
- `read` — `open_archive` / `Archive`, `iter_log`, `iter_versions`, `latest_text(s)`, `read_snapshot`, ...;
- `write` — `record_version`, `record_versions`, `fast_import_versions`, `lock_archive`, `repair_worktree`;
- `sources` — other repositories to import from (a clone or a bundle), and their names.

Layers, each importing only those before it: `git` and `message` (independent of each other), `read`,
then `write` and `sources`; nothing here imports the rest of Clausewatch but `models`, `errors`, `dates`.
"""
