"""Contributors' commentary: parse and validate the files (`parse`), check them against the archive
(`check`), find their clause again in any version (`anchor`), and pre-fill a new one (`template`).

Commentary is untrusted (it arrives by pull request): nothing here renders it; the site does, through
`clausewatch.site.escape`.
"""
