"""Exports: one module per format family (spreadsheets, documents), shared cell rules."""
