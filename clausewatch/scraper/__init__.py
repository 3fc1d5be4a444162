"""The scraper, the write side: declarations → fetch (HTTP, or a headless browser) → extract → checks
against garbage → record into the archive, or hold for review (`quarantine`). `track` is the
orchestrator; `schedule` keeps it polite (per-host limits, robots.txt, conditional requests)."""
