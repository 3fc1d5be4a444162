"""Importing from Open Terms Archive: recorded histories (`ota`, through the archive's bulk writer) and
declarations (`declarations`, checked by the scraper's own loader)."""
