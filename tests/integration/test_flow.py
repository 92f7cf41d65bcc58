"""Items flow forward: fixed lists from templates, and copies of an earlier activity's notes."""

import pytest
from sqlmodel import Session

from app.db import make_engine
from app.domain.workshop_templates import parse_template
from app.models import Item
from app.publishing import ITEMS, MODERATION, STRUCTURE, RecordingPublisher
from app.services import accounts, flow, items, participants, workshops

pytestmark = pytest.mark.storage

TEMPLATE = """\
title: Flux
activities:
  - kind: postits
    id: facteurs
    title: Facteurs
  - kind: rating
    id: brut
    title: Tout noter
    items_from: {activity: facteurs, take: all}
  - kind: rating
    id: dedoublonne
    title: Noter sans doublons
    items_from: {activity: facteurs, take: merged}
  - kind: ranking
    title: Les enjeux ANCT
    items: [Renforcer l'offre d'accompagnement, Former et outiller les professionnels]
    keep: 1
"""


def test_static_items_and_copies_with_provenance(database_url):
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = accounts.create_facilitator(session, "flux@example.org", "F", "motdepasse-flux")
        workshop = workshops.create_from_template(session, owner.id, parse_template(TEMPLATE, "flux.yaml"))
        postits, everything, deduplicated, ranking = workshops.activities_of(session, workshop.id)
        assert [i.text for i in items.of_activity(session, ranking.id)] == [
            "Renforcer l'offre d'accompagnement", "Former et outiller les professionnels"]
        assert {i.source for i in items.of_activity(session, ranking.id)} == {"template"}

        screens = RecordingPublisher()
        workshops.set_state(session, postits, "open", publisher=screens)
        alice = participants.join(session, workshop)
        notes = [items.post(session, alice, postits.id, t, client_key=f"cle-{n:08d}", publisher=screens)[0]
                 for n, t in enumerate(["Fibre", "La fibre", "Illectronisme", "Hors sujet"])]
        merged = items.merge(session, postits, [notes[0].id, notes[1].id], "Déploiement de la fibre",
                             publisher=screens)
        items.set_hidden(session, postits, notes[3], True, publisher=screens)
        # Each change was published once, after its commit, to this workshop's screens.
        assert screens.events == [(workshop.id, STRUCTURE)] + [(workshop.id, ITEMS)] * 4 + [
            (workshop.id, MODERATION)] * 2

        def no_top(source, n):
            raise AssertionError("not asked for")

        assert flow.fill(session, everything, no_top) == 3
        copied = items.of_activity(session, everything.id)
        assert [(i.text, i.origin_id, i.source) for i in copied] == [
            ("Fibre", notes[0].id, "flow"), ("La fibre", notes[1].id, "flow"),
            ("Illectronisme", notes[2].id, "flow")]
        assert flow.fill(session, deduplicated, no_top) == 2
        assert sorted(i.text for i in items.of_activity(session, deduplicated.id)) == [
            "Déploiement de la fibre", "Illectronisme"]
        assert merged.id in {i.origin_id for i in items.of_activity(session, deduplicated.id)}
        # Filling again never duplicates: the facilitator's edits since then are kept.
        assert flow.fill(session, deduplicated, no_top) == 0
        assert session.get(Item, copied[0].id).origin_id == notes[0].id
    engine.dispose()
