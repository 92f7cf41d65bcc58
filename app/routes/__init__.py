"""The HTTP routes: one module per activity kind that takes contributions (`<kind>.py`, found
by the kind's name in the registry `app.domain.kinds.KINDS`), and the rest by what they serve."""

from importlib import import_module

from fastapi import APIRouter

from app.domain.kinds import KINDS

KIND_ROUTERS: dict[str, APIRouter] = {
    name: import_module(f"{__name__}.{name}").router for name, kind in KINDS.items() if kind.contributions}
