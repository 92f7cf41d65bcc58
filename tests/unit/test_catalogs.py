"""The catalogs hold every string the code and templates mark: extracted afresh here with Babel,
as `make messages` does (babel.cfg), each must have an English translation, neither empty nor
fuzzy, with the same placeholders; and the compiled catalog the app loads is the current one."""

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations

import app
from app import i18n

ROOT = Path(app.__file__).parent
ENGLISH = i18n.CATALOGS / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> dict[str, str]:
    """Every msgid the app marks (a plural's by its singular, as the catalog keys it), with where it
    is (the first place it was found)."""
    with (ROOT.parent / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"app/{filename}:{lineno}")
    return found


def english() -> dict[str, object]:
    with ENGLISH.open("rb") as po:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(po) if m.id}


def test_the_extraction_finds_the_marked_strings():
    """The extraction sees templates, Python markers and {% trans %} blocks (not an empty set
    that would pass every check below)."""
    found = extracted()
    assert "Participer" in found and "Temps écoulé" in found  # templates
    assert "Page introuvable." in found and "L'atelier est terminé" in found  # Python
    assert "Atelier <strong>%(code)s</strong>" in found  # a {% trans %} block


def test_every_marked_string_is_translated_in_english():
    catalog = english()
    problems = []
    for msgid, place in extracted().items():
        message = catalog.get(msgid)
        strings = () if message is None else (
            message.string if isinstance(message.string, tuple) else (message.string,))
        if message is None:
            problems.append(f"{place}: not in the catalog (make messages): {msgid!r}")
        elif not all(strings) or message.fuzzy:
            problems.append(f"{place}: no translation (empty or fuzzy): {msgid!r}")
        elif any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(msgid)) for s in strings):
            problems.append(f"{place}: placeholders differ from the French: {msgid!r}")
        elif any(s == msgid for s in strings) and PLACEHOLDER.sub("", msgid).strip(" .:/()") and \
                msgid not in SAME_IN_ENGLISH:
            problems.append(f"{place}: English text equal to the French: {msgid!r}")
    assert not problems, "\n".join(problems)


# The strings that stay as they are in English: names, and words spelt the same in both languages.
SAME_IN_ENGLISH = {"Cap Partagé", "Français", "English", "version %(number)s", "Cookies", "E-mail", "code",
                   # the facilitator's pages
                   "%(count)s post-its", "Score", "Actions", 'code <strong class="code">%(code)s</strong>',
                   "%(minutes)s min", "Exports", "Actions (XLSX)", "type", "description", "question",
                   "%(subject)s — %(problems)s", "Code", "Description", "Type", "(total %(amount)s)",
                   "score %(score)s", "%(count)s action", "%(score)s pts", "%(score)s pt",
                   # the board and the exports
                   "Impact", "%(count)s participant", "%(num)s participant",
                   "Vote", "Post-its", "Quadrant", "quadrant", "score (%(method)s)",
                   "Département", "%(num)s action", "%(cofinancings)s (total %(total)s)"}


def test_the_compiled_catalog_is_the_current_one():
    """The .mo the app loads (built by make install, make run, make test) says what the .po says."""
    compiled = Translations.load(i18n.CATALOGS, ["en"])
    assert isinstance(compiled, Translations), "no compiled catalog: run make install (or make messages)"
    stale = [msgid for msgid, m in english().items()
             if isinstance(m.string, str) and m.string and compiled.gettext(msgid) != m.string]
    assert not stale, f"compiled catalog out of date (make messages): {stale[:5]}"
