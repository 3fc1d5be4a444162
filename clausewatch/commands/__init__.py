"""Commands that combine stages for the CLI: `init`, `check`, `extract`, `log` and the offline `demo`.

The top of the library: it may use every stage below it (site, importer, scraper, commentary, diff,
archive); nothing imports it but `clausewatch.cli`.
"""
