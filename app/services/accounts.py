from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from app.domain.errors import DomainError, NotAllowed
from app.models import Facilitator

_hasher = PasswordHasher()
MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _hashed(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Le mot de passe doit faire au moins {MIN_PASSWORD} caractères.")
    return _hasher.hash(password)


def by_email(session: Session, email: str) -> Facilitator:
    account = session.exec(
        select(Facilitator).where(Facilitator.email == normalise_email(email))).first()
    if account is None:
        raise DomainError(f"Aucun compte animateur pour « {email} ».")
    return account


def reset_password(session: Session, email: str, password: str) -> Facilitator:
    """An administrator sets a facilitator's password (there is no « mot de passe oublié »:
    the app sends no mail)."""
    account = by_email(session, email)
    account.password_hash = _hashed(password)
    session.add(account)
    session.commit()
    return account


def create_facilitator(session: Session, email: str, name: str, password: str) -> Facilitator:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError("Adresse e-mail invalide.")
    password_hash = _hashed(password)  # a short password is refused before a taken address
    if session.exec(select(Facilitator).where(Facilitator.email == email)).first():
        raise NotAllowed(f"Un compte existe déjà pour {email}.")
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
        _hasher.hash(password)
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
