class DomainError(Exception):
    """A request the method's rules refuse; `message` is shown to the user (French)."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Gone(DomainError):
    status = 410
