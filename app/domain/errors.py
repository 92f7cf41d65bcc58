from collections.abc import Callable, Sequence


def N_(message: str) -> str:
    """Marks a message for the catalogs (`make messages` extracts it); it is translated where it is
    shown, in the reader's language."""
    return message


class Said(str):
    """A text the code that knows no reader makes (a ranking's score, « bat 3 sur 6 »): a string,
    its French filled in, that keeps its template (marked with `N_`) and parameters, so that a page
    shows it in its reader's language (the `said` filter of app.rendering); a document, a
    spreadsheet or the JSON export writes the French."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> "Said":
        text = super().__new__(cls, template % params if params else template)
        text.template, text.params = template, params
        return text


class Saids(str):
    """Several `Said` texts at once (each problem of a file), joined by « ; »."""

    parts: tuple[Said, ...]

    def __new__(cls, parts: Sequence[Said]) -> "Saids":
        text = super().__new__(cls, " ; ".join(parts))
        text.parts = tuple(parts)
        return text


class Term(str):
    """A word of the app's own put into a message as a parameter (an activity's state, « fermée »),
    marked with `N_` where it is defined: the web layer translates it with the message."""


def worded(text: str, say: Callable[..., str]) -> str:
    """A `Said` text (or `Saids`) as ``say`` words it (`app.i18n.gettext`), its `Term`
    parameters too; any other text as it is."""
    if isinstance(text, Saids):
        return " ; ".join(worded(part, say) for part in text.parts)
    if not isinstance(text, Said):
        return text
    return say(text.template, **{name: say(value) if isinstance(value, Term) else value
                                 for name, value in text.params.items()})


class DomainError(Exception):
    """A request the method's rules refuse. `template` is the French message, marked with `N_`,
    its `%(name)s` placeholders filled from `params`; `message` is it filled, in French; the web
    layer shows it in the reader's language (`template` translated, then filled)."""

    status = 422

    def __init__(self, message: str, **params: object) -> None:
        self.template = message
        self.params = params
        super().__init__(self.message)

    def said(self, say: Callable[..., str]) -> str:
        """The message as ``say`` words it (`app.i18n.gettext`: translated, then filled), its
        `Term` parameters translated too."""
        return say(self.template, **{name: say(value) if isinstance(value, Term) else value
                                     for name, value in self.params.items()})

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    @message.setter
    def message(self, text: str) -> None:
        """A message rewritten after the fact (ids named, app.services.rankings): shown as it is."""
        self.template, self.params = text, {}


class NotAllowed(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Gone(DomainError):
    status = 410
