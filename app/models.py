"""Database tables. The database is the single source of truth (DESIGN.md §5)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.domain.codes import new_participant_id

# Participant ids are random 53-bit numbers (app.domain.codes): BIGINT, which SQLite's INTEGER is.
PARTICIPANT_ID = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _fk(target: str, ondelete: str, nullable: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable,
                         index=True),
    )


def _participant_fk(ondelete: str, nullable: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(PARTICIPANT_ID, ForeignKey("participant.id", ondelete=ondelete),
                         nullable=nullable, index=True),
    )


class Facilitator(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class FacilitatorSession(SQLModel, table=True):
    """A facilitator's login on one browser (app.services.logins). Her cookie holds the random
    token; only its SHA-256 digest is stored, so a copy of the database opens no session."""

    __tablename__ = "facilitator_session"

    id: int = Field(default=None, primary_key=True)
    token_digest: str = Field(max_length=64, unique=True, index=True)
    facilitator_id: int = _fk("facilitator.id", "CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class Workshop(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    template_slug: str = Field(max_length=64)
    description: str = Field(default="", max_length=2000)
    join_code: str = Field(max_length=8, unique=True, index=True)
    # Secret part of the projector URL, so the board can run on a PC nobody logs in on.
    board_key: str = Field(max_length=43, unique=True, index=True)
    owner_id: int = _fk("facilitator.id", "CASCADE")
    current_position: int = 0
    # Months its participants' personal data is kept after its last activity (app.services.retention).
    retention_months: int = 12
    # The countdown shown on the board and the phones (None: no timer).
    timer_ends_at: datetime | None = None
    # Set when the facilitator closes the workshop: its code no longer lets anyone join or write.
    closed_at: datetime | None = None
    # « Jetons à usage unique »: joining needs a printed token, the code alone is refused.
    tokens_required: bool = False
    # « Facile à lire et à comprendre » (FALC) on the phones: plain words, one item a screen.
    easy_read: bool = False
    # The language of its board (projected screen) and its pushes: app.i18n.LOCALES, French by default.
    language: str = Field(default="fr", max_length=5)
    # Secret part of the published restitution page's URL (/r/<key>); None: not published.
    restitution_key: str | None = Field(default=None, max_length=43, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class WorkshopGroup(SQLModel, table=True):
    __tablename__ = "workshop_group"
    id: int = Field(default=None, primary_key=True)
    workshop_id: int = _fk("workshop.id", "CASCADE")
    position: int
    name: str = Field(max_length=40)


class Activity(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    workshop_id: int = _fk("workshop.id", "CASCADE")
    position: int
    kind: str = Field(max_length=20)
    title: str = Field(max_length=120)
    state: str = Field(default="draft", max_length=10)
    # The activity's validated template settings (prompt, categories, live, ...).
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Participant(SQLModel, table=True):
    """A phone in a workshop, known by the random token its signed cookie holds. Her name and
    organisation, if she gave them, are kept apart (`ParticipantIdentity`)."""

    id: int = Field(default_factory=new_participant_id,
                    sa_column=Column(PARTICIPANT_ID, primary_key=True, autoincrement=False))
    workshop_id: int = _fk("workshop.id", "CASCADE")
    # Erased by a purge (app.domain.codes.erased_token): then nobody's cookie names her.
    token: str = Field(max_length=43, unique=True, index=True)
    group_id: int | None = _fk("workshop_group.id", "SET NULL", nullable=True)
    # A paper ballot typed in by the facilitator for someone without a phone.
    proxy: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Open WebSockets; with last_seen (heartbeat) it gives the live participant count.
    connections: int = 0
    last_seen: datetime = Field(default_factory=utcnow)


class ParticipantIdentity(SQLModel, table=True):
    """The name and organisation a participant chose to give, apart from the participant row that
    votes and contributions reference. Read only to name authors in the compte-rendu « avec les
    noms » and the last editor of a chantier row; never exported next to a ballot; purged."""

    __tablename__ = "participant_identity"

    participant_id: int = Field(sa_column=Column(
        PARTICIPANT_ID, ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True))
    display_name: str = Field(default="", max_length=80)
    organisation: str = Field(default="", max_length=120)


class JoinToken(SQLModel, table=True):
    """A single-use join token printed on a card (app.domain.join_tokens), by its digest. Its first
    use sets `participant_id`; later uses resume that participant. Cards are handed out at random:
    nothing ties a token to a person. Deleted by a purge."""

    __tablename__ = "join_token"

    id: int = Field(default=None, primary_key=True)
    workshop_id: int = _fk("workshop.id", "CASCADE")
    digest: str = Field(max_length=64, unique=True, index=True)
    participant_id: int | None = _participant_fk("CASCADE", nullable=True)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class PurgeRecord(SQLModel, table=True):
    """One purge of a workshop's personal data, for the DPO to read. No foreign key: the record
    outlives the workshop."""

    __tablename__ = "purge_record"

    id: int = Field(default=None, primary_key=True)
    workshop_id: int = Field(index=True)
    workshop_title: str = Field(max_length=120)
    # automatique (the daily task), commande (python -m app purge) or animateur (« Purger maintenant »).
    trigger: str = Field(max_length=12)
    purged_at: datetime = Field(default_factory=utcnow)
    # The date the retention ran from (the workshop's last activity).
    last_activity: datetime
    participants: int
    names: int
    ballots: int


class Item(SQLModel, table=True):
    """An item of an activity: a post-it, or an entry of a list to rate or rank.

    Merged originals point at the item they were merged into. `source` says where it came from:
    participant, facilitator (typed in), merge, template (a fixed list) or flow (an earlier activity).
    """

    __table_args__ = (UniqueConstraint("participant_id", "client_key", name="uq_item_client_key"),)

    id: int = Field(default=None, primary_key=True)
    activity_id: int = _fk("activity.id", "CASCADE")
    participant_id: int | None = _participant_fk("SET NULL", nullable=True)
    group_id: int | None = _fk("workshop_group.id", "SET NULL", nullable=True)
    source: str = Field(default="participant", max_length=12)
    category: str = Field(default="", max_length=40)
    text: str = Field(max_length=280)
    hidden: bool = False
    edited: bool = False
    merged_into_id: int | None = _fk("item.id", "SET NULL", nullable=True)
    # For the items of a rating or ranking: the item of an earlier activity it was taken from.
    origin_id: int | None = _fk("item.id", "SET NULL", nullable=True)
    # Kept by the facilitator as a result of the activity (the room's priority enjeux).
    kept: bool = False
    client_key: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Vote(SQLModel, table=True):
    """A participant's answer on one target of an activity (a poll, later a rated item on an axis).

    One per participant, activity, target and axis: a database fact, not a convention.
    """

    __table_args__ = (
        UniqueConstraint("activity_id", "participant_id", "target", "axis", name="uq_vote_once"),
    )

    id: int = Field(default=None, primary_key=True)
    activity_id: int = _fk("activity.id", "CASCADE")
    participant_id: int = _participant_fk("CASCADE")
    target: str = Field(default="", max_length=40)
    axis: str = Field(default="", max_length=20)
    value: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TableRow(SQLModel, table=True):
    """A row of a chantier table (fiche outil n° 3): one chantier of one section, by a sub-group.

    `section` names the enjeu: the index of a fixed section ("0", "1"…) or the kept item of the
    ranking the sections come from ("item-12"). `cells` maps column keys to text. `version` grows
    by one at each edit: an edit names the version it started from and is refused if the row has
    moved on since, so that nobody's text is silently overwritten.
    """

    __tablename__ = "table_row"
    __table_args__ = (UniqueConstraint("created_by", "client_key", name="uq_table_row_client_key"),)

    id: int = Field(default=None, primary_key=True)
    activity_id: int = _fk("activity.id", "CASCADE")
    section: str = Field(max_length=24)
    group_id: int | None = _fk("workshop_group.id", "SET NULL", nullable=True)
    position: int = 0
    cells: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 1
    hidden: bool = False
    created_by: int | None = _participant_fk("SET NULL", nullable=True)
    # Who saved the current version (None: the facilitator).
    updated_by: int | None = _participant_fk("SET NULL", nullable=True)
    client_key: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ResourceLink(SQLModel, table=True):
    """A resource of the chantier of a resource map, and the state of its link with the chantier.

    `state`: operante (solid line), connue-sans-lien (dotted line) or aucune (no line). A name is
    on the map once per category (`name_key`: the name, case and spacing ignored).
    """

    __tablename__ = "resource_link"
    __table_args__ = (
        UniqueConstraint("created_by", "client_key", name="uq_resource_link_client_key"),
        UniqueConstraint("activity_id", "category", "name_key", name="uq_resource_link_name"),
    )

    id: int = Field(default=None, primary_key=True)
    activity_id: int = _fk("activity.id", "CASCADE")
    category: str = Field(max_length=40)
    name: str = Field(max_length=120)
    name_key: str = Field(max_length=120)
    state: str = Field(default="aucune", max_length=20)
    note: str = Field(default="", max_length=280)
    group_id: int | None = _fk("workshop_group.id", "SET NULL", nullable=True)
    hidden: bool = False
    version: int = 1
    created_by: int | None = _participant_fk("SET NULL", nullable=True)
    updated_by: int | None = _participant_fk("SET NULL", nullable=True)
    client_key: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProxyCount(SQLModel, table=True):
    """Answers entered by the facilitator for people without a phone: a show of hands or paper
    ballots, counted per answer and kept apart from the phones' votes so results can say so."""

    __tablename__ = "proxy_count"
    __table_args__ = (
        UniqueConstraint("activity_id", "target", "axis", "value", name="uq_proxy_count"),
    )

    id: int = Field(default=None, primary_key=True)
    activity_id: int = _fk("activity.id", "CASCADE")
    target: str = Field(default="", max_length=40)
    axis: str = Field(default="", max_length=20)
    value: int
    count: int
    updated_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- the roadmap (DESIGN.md §4)


class Territory(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # commune, epci, departement, region or autre.
    kind: str = Field(max_length=20)
    # INSEE code or SIREN; "" when unknown.
    code: str = Field(default="", max_length=9)


class Roadmap(SQLModel, table=True):
    """A territory's feuille de route; it gathers the results of several workshops."""

    id: int = Field(default=None, primary_key=True)
    owner_id: int = _fk("facilitator.id", "CASCADE")
    territory_id: int = _fk("territory.id", "CASCADE")
    name: str = Field(max_length=200)
    # departemental, groupementsDeCommunes or regional (the platform's codes; None: not said yet).
    perimeter: str | None = Field(default=None, max_length=30)
    carriers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    context: str = Field(default="", max_length=20000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RoadmapWorkshop(SQLModel, table=True):
    """A workshop whose results were brought into a roadmap."""

    __tablename__ = "roadmap_workshop"
    __table_args__ = (UniqueConstraint("roadmap_id", "workshop_id", name="uq_roadmap_workshop"),)

    id: int = Field(default=None, primary_key=True)
    roadmap_id: int = _fk("roadmap.id", "CASCADE")
    workshop_id: int = _fk("workshop.id", "CASCADE")
    added_at: datetime = Field(default_factory=utcnow)


class Committee(SQLModel, table=True):
    """A body of the roadmap's governance: stratégique, technique, consultatif or autre."""

    id: int = Field(default=None, primary_key=True)
    roadmap_id: int = _fk("roadmap.id", "CASCADE")
    position: int = 0
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    frequency: str = Field(default="", max_length=200)


class Enjeu(SQLModel, table=True):
    """A priority question of the territory. `position` is its rank. `provenance` is a snapshot of
    where it came from (workshop, vote, post-its), `source_item_id` the live link while it exists."""

    id: int = Field(default=None, primary_key=True)
    roadmap_id: int = _fk("roadmap.id", "CASCADE")
    position: int = 0
    question: str = Field(max_length=1000)
    score: float | None = None
    score_label: str = Field(default="", max_length=80)
    provenance: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    source_item_id: int | None = _fk("item.id", "SET NULL", nullable=True)


class Defi(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    roadmap_id: int = _fk("roadmap.id", "CASCADE")
    position: int = 0
    title: str = Field(max_length=500)
    description: str = Field(default="", max_length=8000)


class DefiEnjeu(SQLModel, table=True):
    """A défi answers one or more enjeux."""

    __tablename__ = "defi_enjeu"

    defi_id: int = Field(sa_column=Column(Integer, ForeignKey("defi.id", ondelete="CASCADE"),
                                          primary_key=True))
    enjeu_id: int = Field(sa_column=Column(Integer, ForeignKey("enjeu.id", ondelete="CASCADE"),
                                           primary_key=True, index=True))


class Chantier(SQLModel, table=True):
    """A key project. Under a défi; or, fresh from a chantier table, under an enjeu until filed."""

    id: int = Field(default=None, primary_key=True)
    roadmap_id: int = _fk("roadmap.id", "CASCADE")
    position: int = 0
    code: str = Field(default="", max_length=12)
    title: str = Field(max_length=500)
    description: str = Field(default="", max_length=20000)
    objectives: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    obstacles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pilot: str = Field(default="", max_length=1000)
    doers: str = Field(default="", max_length=1000)
    associates: str = Field(default="", max_length=2000)
    coordinator: str = Field(default="", max_length=500)
    defi_id: int | None = _fk("defi.id", "SET NULL", nullable=True)
    enjeu_id: int | None = _fk("enjeu.id", "SET NULL", nullable=True)
    source_row_id: int | None = _fk("table_row.id", "SET NULL", nullable=True)


class Resource(SQLModel, table=True):
    """A resource of a chantier and the state of its link: operante, connue-sans-lien, aucune."""

    __tablename__ = "roadmap_resource"

    id: int = Field(default=None, primary_key=True)
    chantier_id: int = _fk("chantier.id", "CASCADE")
    position: int = 0
    name: str = Field(max_length=200)
    category: str = Field(max_length=60)
    link: str = Field(default="aucune", max_length=20)
    source_link_id: int | None = _fk("resource_link.id", "SET NULL", nullable=True)


class Action(SQLModel, table=True):
    """A concrete action of a chantier, in the national platform's terms (nom, contexte,
    budgetGlobal, co-financements, besoins, dates de début et de fin, destinataires)."""

    __tablename__ = "roadmap_action"

    id: int = Field(default=None, primary_key=True)
    chantier_id: int = _fk("chantier.id", "CASCADE")
    position: int = 0
    name: str = Field(max_length=500)
    context: str = Field(default="", max_length=8000)
    description: str = Field(default="", max_length=8000)
    carriers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    budget: int | None = None
    # [{"membre": "...", "montant": 1000}, ...]
    cofinancings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # « 2025 » (a year alone) or « 2025-03-15 », as the roadmap file has them
    start_date: str | None = Field(default=None, max_length=10)
    end_date: str | None = Field(default=None, max_length=10)
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
