"""Helpers for the tests, imported as `support.*`; never collected, never a test file."""
