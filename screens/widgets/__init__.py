"""Reusable widgets: field errors and the paged ledger table."""
