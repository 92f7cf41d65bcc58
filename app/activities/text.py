"""A slide: participants read; nothing to collect."""

from typing import Any

from fastapi import APIRouter
from sqlmodel import Session

from app.models import Activity

LIVE_DEFAULT = False
router = APIRouter()


def board(session: Session, activity: Activity) -> dict[str, Any]:
    return {}


control = board


def phones(session: Session, activity: Activity, participant_ids: list[int]) -> dict[int, dict[str, Any]]:
    return {}
