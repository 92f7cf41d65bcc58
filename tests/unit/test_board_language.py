"""The board-language form (facilitator/_board_language.html, for the control page): it posts to
the route, offers every language named in itself, the workshop's chosen; it speaks the
facilitator's language."""

from types import SimpleNamespace

from app import i18n
from app.rendering import render


def test_the_board_language_form():
    workshop = SimpleNamespace(id=7, language="en")
    with i18n.using("fr"):
        french = render("facilitator/_board_language.html", {"workshop": workshop})
    with i18n.using("en"):
        english = render("facilitator/_board_language.html", {"workshop": workshop})
    assert 'action="/f/workshops/7/language"' in french and 'name="language"' in french
    assert '<option value="fr" lang="fr">Français</option>' in french
    assert '<option value="en" lang="en" selected>English</option>' in french
    assert "Langue de l&#39;écran" in french or "Langue de l'écran" in french
    assert "Board language" in english and "Langue de l" not in english
