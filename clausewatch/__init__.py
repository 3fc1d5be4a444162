"""Clausewatch: a public record of how terms of service and privacy policies change."""

__version__ = "0.1.0"
