"""The diff core, pure functions from texts to typed diffs.

normalize (what is recorded and compared) → clauses (a text as a clause tree) → align (which old clause
became which new one) → words (word diff inside a clause) → compare (the facade: a `Diff`) → classify
(does it matter to a reader?) → topics (what it touches) → history (a document's versions classified)
→ pairing, lineage (one clause followed across versions) → render (plain text and JSON). It knows
nothing of git, files or pages.
"""
