import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from app.domain.errors import N_, DomainError, Forbidden, NotAllowed
from app.models import Facilitator
from app.publishing import Revoker, revoke_safely
from app.services import logins

_hasher = PasswordHasher()
MIN_PASSWORD = 8
# What a login with an unknown e-mail checks its password against: a hash made by the same hasher
# as real ones (same argon2 parameters), so that both failures cost one verify of the same price.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _hashed(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DomainError(N_("Le mot de passe doit faire au moins %(count)s caractères."), count=MIN_PASSWORD)
    return _hasher.hash(password)


def by_email(session: Session, email: str) -> Facilitator:
    account = session.exec(
        select(Facilitator).where(Facilitator.email == normalise_email(email))).first()
    if account is None:
        raise DomainError(N_("Aucun compte animateur pour « %(email)s »."), email=email)
    return account


def reset_password(session: Session, email: str, password: str, revoker: Revoker) -> tuple[Facilitator, int]:
    """An administrator sets a facilitator's password (there is no « mot de passe oublié »:
    the app sends no mail); every session of the account ends. The account, and how many ended."""
    account = by_email(session, email)
    account.password_hash = _hashed(password)
    session.add(account)
    ended = logins.delete_sessions(session, account.id)
    session.commit()
    revoke_safely(revoker, ended)
    return account, len(ended)


def change_password(session: Session, login: logins.Login, current: str, new: str,
                    revoker: Revoker) -> int:
    """The logged-in facilitator changes her password: her other sessions end, this one goes on.
    How many ended."""
    account = login.account
    try:
        _hasher.verify(account.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Forbidden(N_("Mot de passe actuel incorrect : rien n'a été changé.")) from None
    account.password_hash = _hashed(new)
    session.add(account)
    ended = logins.delete_sessions(session, account.id, keep=login.session_id)
    session.commit()
    revoke_safely(revoker, ended)
    return len(ended)


def create_facilitator(session: Session, email: str, name: str, password: str) -> Facilitator:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError(N_("Adresse e-mail invalide."))
    password_hash = _hashed(password)  # a short password is refused before a taken address
    if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
        raise NotAllowed(N_("Un compte existe déjà pour %(email)s."), email=email)
    account = Facilitator(email=email, name=name.strip()[:120] or email, password_hash=password_hash)
    session.add(account)
    session.commit()
    session.refresh(account)
    return account


def authenticate(session: Session, email: str, password: str) -> Facilitator | None:
    account = session.exec(
        select(Facilitator).where(Facilitator.email == normalise_email(email))
    ).first()
    if account is None:
        # Same cost whether or not the account exists.
        with contextlib.suppress(VerificationError):
            _hasher.verify(DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
        session.add(account)
        session.commit()
    return account
