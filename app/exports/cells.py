"""Spreadsheet cells written by the exports: formula injection neutralised (OWASP, CSV injection).

A spreadsheet treats a cell beginning with ``=``, ``+``, ``-`` or ``@`` as a formula, and a tab or
carriage return in first position lets a crafted value start one in the next cell. Participants
type free text that ends up in exported cells. XLSX and ODS have string cells, which are never
evaluated, so `app.exports.tabular` writes text there as typed; CSV has no cell types, so every
text cell written to CSV goes through `neutralise`: such a text gets a leading apostrophe, which
spreadsheets show as text. Numbers (and anything else that is not text) are returned unchanged.

Pure code: no web, no database.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The value to write in a spreadsheet cell: text that could start a formula gets a « ' »."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
