"""The Jinja2 environment every page, live push and document is rendered with.

A leaf: it imports nothing of the app but the languages (app.i18n), the kinds' registry and the
static files, so that the exports (run from the command line too) and the live pushes render with
the same templates and filters without loading the web layer.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block

from app import assets, i18n
from app.domain.errors import N_
from app.domain.kinds import KINDS

_ROOT = Path(__file__).parent
TEMPLATES = _ROOT / "templates"

# Templates ship with the code and change only with a restart: no file check (a stat of every
# template and its parents) on each render, a few per cent of a phone's write in the profile.
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), auto_reload=False,
                  extensions=["jinja2.ext.i18n"])
# `{{ _("Envoyer") }}`, `{{ _("%(n)s notes", n=count) }}`: translated in the locale of the render
# under way (app.i18n), the placeholders filled and escaped by Jinja2 (newstyle gettext).
env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
    i18n.translate, i18n.translate_plural, newstyle=True)
# `{% trans %}` blocks' line breaks and indentation are not part of the msgid.
env.policies["ext.i18n.trimmed"] = True
env.globals["current_locale"] = i18n.current
env.globals["locale_names"] = i18n.NAMES

# « capitalize » would lower the rest (« Intervenants dans les alsh »): only the first letter goes up.
env.filters["initial"] = lambda text: str(text)[:1].upper() + str(text)[1:]

# Dates as lists and tables write them in the current locale: « 15/03/2025 », « 15/03/2025 à 14:05 »
# (facilitators' times in the workshop's time zone).
env.filters["short_date"] = i18n.short_date
env.filters["moment"] = i18n.moment
env.filters["long_date"] = i18n.long_date
# A text the services made in French, keeping its template (app.domain.errors.Said): in the reader's language.
env.filters["said"] = i18n.said
# A label of the app's own held in a variable (marked with N_ where it is defined), or the
# facilitator's own text, which no catalog holds and shows as written: no placeholder filled.
env.filters["translated"] = i18n.translate

# What templates may ask of a kind: `kinds[activity.kind].contributions` and the rest.
env.globals["kinds"] = KINDS

# The scripts' words (app/static/app.js and kinds/*.js read them through `Cap.t`, keyed by the
# French): written into each page in its language by base.html, none in French, the scripts' own.
SCRIPT_STRINGS = (
    N_("en direct"), N_("connexion perdue — reconnexion…"), N_("reconnecté"), N_("connexion perdue"),
    N_("enregistré"), N_("Temps écoulé"), N_("temps écoulé"), N_("Serveur occupé."),
    N_("%(said)s Gardé sur ce téléphone : nouvel essai dans %(seconds)s s…"), N_("Erreur %(status)s"),
    N_("erreur %(status)s"), N_("Le serveur ne répond pas : vérifiez la connexion."),
    N_("Votre réponse : %(answer)s"), N_("en cours d'envoi…"),
    N_("hors ligne — envoi dès le retour du réseau"),
    N_("envoyé"), N_("refusé : %(reason)s"),
    N_("Monter « %(item)s » (position %(position)s sur %(count)s)"),
    N_("Descendre « %(item)s » (position %(position)s sur %(count)s)"),
    N_("Points restants : <strong>%(left)s</strong> sur %(budget)s"), N_("%(count)s enjeu sans mention"),
    N_("%(count)s enjeux sans mention"), N_("Tous les enjeux ont une mention."),
    N_("« %(item)s » : position %(position)s sur %(count)s."),
    N_("bulletin précédent (compte jusqu'à l'enregistrement du nouveau)"), N_("Non enregistré : %(reason)s"),
    N_("Non enregistré : le serveur ne répond pas. Votre texte est gardé ici ; réessayez."),
    N_("Idée %(number)s sur %(count)s"), N_("Idée %(number)s sur %(count)s : %(item)s"),
    N_("restitution de l'atelier publiée"),
)


def script_strings() -> dict[str, str]:
    if i18n.current() == i18n.DEFAULT:
        return {}
    return {text: i18n.translate(text) for text in SCRIPT_STRINGS}


env.globals["script_strings"] = script_strings

# Static files at their current version: `{{ static("app.css") }}`.
env.globals["static"] = assets.url

# What a live page says when its step changes (app.js announces it, the phone's title follows).
def step_label(workshop: Any, activity: Any) -> str:
    if workshop.closed_at:
        return i18n.gettext("L'atelier est terminé")
    if activity is None:
        return ""
    return i18n.gettext("Étape %(number)s : %(title)s", number=activity.position + 1, title=activity.title)


def page_title(workshop: Any, activity: Any) -> str:
    if activity is None or workshop.closed_at:
        return f"{workshop.title} — Cap Partagé"
    return f"{activity.title} — {workshop.title}"


env.globals["step_label"] = step_label
env.globals["page_title"] = page_title

# An activity kind may bring its own stylesheet and script: app/static/kinds/<kind>.{css,js}.
_KIND_FILES = {
    ext: {name.removeprefix("kinds/").removesuffix(f".{ext}") for name in assets.assets()
          if name.startswith("kinds/") and name.endswith(f".{ext}")} for ext in ("css", "js")
}
# The resource map's editor is the chantier table's (its classes, its stale-version handling).
_KIND_NEEDS = {"resources": ("table",)}


def kind_assets(shown: Iterable[Any] | None = None) -> dict[str, list[str]]:
    """The kinds' stylesheets and scripts a page loads: those of the kinds it can show (`shown`:
    its workshop's activities, or kind names), so that a phone in a workshop of post-its and polls
    downloads nothing of the ranking's; every kind's when `shown` is None (a page that may show
    any, such as the roadmap's)."""
    kinds = set(KINDS) if shown is None else {item if isinstance(item, str) else item.kind for item in shown}
    kinds |= {need for kind in list(kinds) for need in _KIND_NEEDS.get(kind, ())}
    return {ext: [f"{kind}.{ext}" for kind in sorted(kinds & files)] for ext, files in _KIND_FILES.items()}


env.globals["kind_assets"] = kind_assets


def render(template: str, context: dict[str, Any]) -> str:
    """A whole template."""
    return env.get_template(template).render(context)


def render_fragment(template: str, block: str, context: dict[str, Any]) -> str:
    """One block of a template (an htmx fragment); ``board-main`` names the block ``board_main``."""
    return render_block(env, template, block.replace("-", "_"), **context)
