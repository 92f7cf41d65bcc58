"""Languages: the gettext catalogs (app/locales, made by `make messages`), the locale of the render
under way, and the locale a request asks for.

French is the source language: the msgids are the French texts, so a missing catalog or string
shows French. The current locale lives in a context variable: the request's middleware
(app.main) sets it for a page, the live pushes (app.live) for each locale's render, and every
template, filter and message translated meanwhile follows it.

A leaf, like app.rendering: nothing of the app but the pure domain.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates
from babel.core import negotiate_locale
from babel.support import NullTranslations, Translations

from app.domain import french
from app.domain.errors import Said, worded

LOCALES = ("fr", "en")
DEFAULT = "fr"
# The names the picker shows, each in its own language.
NAMES = {"fr": "Français", "en": "English"}
# The cookie the picker sets (a strictly necessary cookie, listed on /confidentialite).
COOKIE = "lang"
# Facilitators' times: the workshop's time zone (the app serves French territories).
TIME_ZONE = ZoneInfo("Europe/Paris")
CATALOGS = Path(__file__).parent / "locales"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT)


class _Source(NullTranslations):
    """French, the source language: the msgids as they are, with French plurals (« 0 réponse »,
    « 2 réponses »), where gettext's default takes 0 as plural."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if n <= 1 else msgid2


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of a locale; French, the source, translates nothing."""
    if locale == DEFAULT:
        return _Source()
    return Translations.load(CATALOGS, [locale])


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def using(locale: str) -> Iterator[None]:
    """Render and translate in ``locale`` within the block."""
    token = _current.set(locale if locale in LOCALES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def set_locale(locale: str) -> None:
    """For the rest of this context (a request's task and the threads it hands work to)."""
    _current.set(locale if locale in LOCALES else DEFAULT)


def translate(message: str) -> str:
    """``message`` in the current locale, placeholders unfilled (Jinja2's newstyle gettext fills them)."""
    return translations(current()).gettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def gettext(message: str, **params: object) -> str:
    """``message`` in the current locale, its ``%(name)s`` placeholders filled from ``params``."""
    text = translate(message)
    return text % params if params else text


def said(text: object) -> object:
    """A `Said` text in the current locale; anything else as it is."""
    return worded(text, gettext) if isinstance(text, Said) else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """The singular of a message for exactly one, its plural for any other number (« 0 réponses »,
    as the exports write it), in the current locale; ``%(num)s`` is ``n``, the other placeholders
    come from ``params`` (the extraction finds it by its name). Templates get the same with
    ``ngettext(singular, plural, 1 if n == 1 else 2, num=n)``."""
    return translate_plural(singular, plural, 1 if n == 1 else 2) % {"num": n, **params}


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The picker's choice, else the browser's first language we have, else French."""
    if cookie in LOCALES:
        return cookie
    wanted = []
    for part in (accept_language or "").split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag:
            wanted.append((weight, tag.replace("_", "-")))
    ordered = [tag for _, tag in sorted(wanted, key=lambda w: -w[0])]
    return negotiate_locale(ordered, LOCALES, sep="-") or DEFAULT


def _locale() -> Locale:
    # English dates and numbers as written in Britain (15/03/2025, 14:05).
    return Locale.parse("en_GB" if current() == "en" else current())


def short_date(day: date) -> str:
    """« 15/03/2025 »: a date in a list or a table cell."""
    if isinstance(day, datetime):
        day = _local(day).date()
    return dates.format_date(day, "dd/MM/yyyy", locale=_locale())


def long_date(day: date) -> str:
    """« 4 décembre 2027 » (« 1er mars »), « 4 December 2027 »: a date in a sentence."""
    if isinstance(day, datetime):
        day = _local(day).date()
    if current() == DEFAULT:
        return french.date_text(day.isoformat())
    return dates.format_date(day, "d MMMM y", locale=_locale())


def _local(when: datetime) -> datetime:
    """Stored times are UTC (naive ones too); people read them in the workshop's time zone."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(TIME_ZONE)


def moment(when: datetime) -> str:
    """« 15/03/2025 à 14:05 » (Paris time)."""
    local = _local(when)
    return gettext("%(date)s à %(time)s", date=short_date(local),
                   time=dates.format_time(local, "HH:mm", locale=_locale()))

