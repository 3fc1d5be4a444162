"""The site: the archive and commentary in, a static site out.

generate (orchestrator, cache) → document (one document's pages) → pages / diff_markdown / markdown /
asof / topic_pages / commentary_pages / feeds / data_api / svg / cite / clause_pages / adoption /
data_clauses (templates, pure) → write (the only writer) → build (MkDocs through `engine`, then
`sanitize` and `search_index`). Every untrusted string is escaped through `escape`, the one module that
knows each output context.
"""
