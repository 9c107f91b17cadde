"""Events and their categories.

An event carries the public texts of a booking (per language), its category,
audiences and the languages spoken at it. Its dates are the occurrences of its
booking; which of them residents see is the rule of ``events.visibility``.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, cast, column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bookings.models import Occurrence
from events.visibility import is_public_booking
from extensions import db
from i18n import pick_text
from timeutil import utcnow

# Who an event is for (stored keys; labels shown).
AUDIENCES = {
    "everyone": _l("Everyone"),
    "children": _l("Children"),
    "youth": _l("Young people"),
    "families": _l("Families"),
    "women": _l("Women"),
    "seniors": _l("Older people"),
    "newcomers": _l("Newcomers"),
    "refugees": _l("Refugees"),
    "students": _l("Students"),
}

# The categories of DESIGN.md, seeded by migration 0002 and by ensure_categories().
# Admins may rename them; the keys stay.
DEFAULT_CATEGORIES = {
    "encounter": {"de": "Begegnung", "en": "Encounter", "tr": "Buluşma", "ar": "لقاء", "uk": "Зустрічі", "ru": "Встречи", "it": "Incontro", "el": "Συνάντηση", "hr": "Susreti", "fa": "دیدار"},
    "education": {"de": "Bildung", "en": "Education", "tr": "Eğitim", "ar": "تعليم", "uk": "Освіта", "ru": "Образование", "it": "Formazione", "el": "Εκπαίδευση", "hr": "Obrazovanje", "fa": "آموزش"},
    "language_course": {"de": "Sprachkurs", "en": "Language course", "tr": "Dil kursu", "ar": "دورة لغة", "uk": "Мовний курс", "ru": "Языковой курс", "it": "Corso di lingua", "el": "Μάθημα γλώσσας", "hr": "Tečaj jezika", "fa": "کلاس زبان"},
    "counselling": {"de": "Beratung", "en": "Counselling", "tr": "Danışmanlık", "ar": "استشارة", "uk": "Консультації", "ru": "Консультации", "it": "Consulenza", "el": "Συμβουλευτική", "hr": "Savjetovanje", "fa": "مشاوره"},
    "sport": {"de": "Sport", "en": "Sport", "tr": "Spor", "ar": "رياضة", "uk": "Спорт", "ru": "Спорт", "it": "Sport", "el": "Αθλητισμός", "hr": "Sport", "fa": "ورزش"},
    "culture": {"de": "Kultur", "en": "Culture", "tr": "Kültür", "ar": "ثقافة", "uk": "Культура", "ru": "Культура", "it": "Cultura", "el": "Πολιτισμός", "hr": "Kultura", "fa": "فرهنگ"},
    "children_family": {"de": "Kinder & Familie", "en": "Children & family", "tr": "Çocuk ve aile", "ar": "الأطفال والعائلة", "uk": "Діти та родина", "ru": "Дети и семья", "it": "Bambini e famiglia", "el": "Παιδιά & οικογένεια", "hr": "Djeca i obitelj", "fa": "کودک و خانواده"},
    "youth": {"de": "Jugend", "en": "Youth", "tr": "Gençlik", "ar": "الشباب", "uk": "Молодь", "ru": "Молодёжь", "it": "Giovani", "el": "Νεολαία", "hr": "Mladi", "fa": "جوانان"},
    "seniors": {"de": "Seniorinnen & Senioren", "en": "Seniors", "tr": "Yaşlılar", "ar": "كبار السن", "uk": "Літні люди", "ru": "Пожилые люди", "it": "Anziani", "el": "Ηλικιωμένοι", "hr": "Starije osobe", "fa": "سالمندان"},
    "refugee_help": {"de": "Geflüchtetenhilfe", "en": "Refugee help", "tr": "Mülteci yardımı", "ar": "مساعدة اللاجئين", "uk": "Допомога біженцям", "ru": "Помощь беженцам", "it": "Aiuto ai rifugiati", "el": "Βοήθεια σε πρόσφυγες", "hr": "Pomoć izbjeglicama", "fa": "کمک به پناهجویان"},
    "democracy": {"de": "Demokratie & Beteiligung", "en": "Democracy & participation", "tr": "Demokrasi ve katılım", "ar": "الديمقراطية والمشاركة", "uk": "Демократія та участь", "ru": "Демократия и участие", "it": "Democrazia e partecipazione", "el": "Δημοκρατία & συμμετοχή", "hr": "Demokracija i sudjelovanje", "fa": "دموکراسی و مشارکت"},
    "festival": {"de": "Fest", "en": "Festival", "tr": "Şenlik", "ar": "مهرجان", "uk": "Свято", "ru": "Праздник", "it": "Festa", "el": "Γιορτή", "hr": "Festival", "fa": "جشن"},
}


class Category(db.Model):
    """An event category; the key is stored on events, the names are shown."""

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def display_name(self, lang=None) -> str:
        return pick_text(self.names, lang)[0] or self.key

    def can_edit(self, user) -> bool:
        return bool(user and user.is_authenticated and user.is_admin)

    @classmethod
    def ordered(cls) -> list["Category"]:
        return list(db.session.scalars(select(cls).order_by(cls.position, cls.key)))

    def __repr__(self) -> str:
        return f"<Category {self.key}>"


def ensure_categories() -> int:
    """Add the default categories that are missing (demo data, tests); returns how many."""
    existing = set(db.session.scalars(select(Category.key)))
    added = 0
    for position, (key, names) in enumerate(DEFAULT_CATEGORIES.items()):
        if key not in existing:
            db.session.add(Category(key=key, names=dict(names), position=position))
            added += 1
    if added:
        db.session.flush()
    return added


class Event(db.Model):
    # PostgreSQL: GIN indexes for the calendar's audience and language filters (jsonb containment).
    __table_args__ = (
        Index("ix_event_audiences_gin", cast(column("audiences"), JSONB), postgresql_using="gin").ddl_if(dialect="postgresql"),
        Index("ix_event_languages_gin", cast(column("languages"), JSONB), postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"), index=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    category_key: Mapped[str | None] = mapped_column(
        ForeignKey("category.key", ondelete="SET NULL", onupdate="CASCADE"), index=True
    )
    audiences: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    barrier_free: Mapped[bool] = mapped_column(Boolean, default=False)
    is_free: Mapped[bool] = mapped_column(Boolean, default=True)
    price: Mapped[str] = mapped_column(String(100), default="")
    registration_url: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # iCalendar SEQUENCE: raised on each real change of the event or of its dates.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    booking: Mapped["Booking | None"] = relationship(back_populates="event")  # noqa: F821
    centre: Mapped["Centre"] = relationship()  # noqa: F821
    room: Mapped["Room | None"] = relationship()  # noqa: F821
    category: Mapped[Category | None] = relationship()
    # programmes.models: the programmes the event is part of (its partners mark it; coordinators add or remove it)
    programmes: Mapped[list["Programme"]] = relationship(secondary="event_programme", order_by="Programme.slug")  # noqa: F821

    EDITABLE = (
        "title", "description", "category_key", "audiences", "languages", "barrier_free",
        "is_free", "price", "registration_url", "contact", "tags",
    )

    def display_title(self, lang=None) -> str:
        default = self.centre.default_language if self.centre else None
        return pick_text(self.title, lang, default)[0]

    def display_description(self, lang=None) -> str:
        default = self.centre.default_language if self.centre else None
        return pick_text(self.description, lang, default)[0]

    def can_edit(self, user) -> bool:
        """The centre's managers (and admins) and the members of the event's association."""
        if not user or not getattr(user, "is_authenticated", False):
            return False
        if user.manages(self.centre):
            return True
        booking = self.booking
        return booking is not None and booking.association is not None and user.is_member_of(booking.association)

    @property
    def is_public(self) -> bool:
        """Residents see it (events.visibility: its booking approved, or cancelled after approval)."""
        return is_public_booking(self.booking)

    def occurrences(self, statuses=None):
        """The event's dates (Occurrence rows), oldest first; all statuses unless given."""
        if self.booking_id is None:
            return []
        query = select(Occurrence).where(Occurrence.booking_id == self.booking_id).order_by(Occurrence.starts_at)
        if statuses:
            query = query.where(Occurrence.status.in_(list(statuses)))
        return list(db.session.scalars(query))

    def touch(self) -> None:
        """Record a real change: subscribed calendars see a higher SEQUENCE."""
        self.sequence = (self.sequence or 0) + 1
        self.updated_at = utcnow()

    def update(self, **fields) -> bool:
        """Set the given editable fields; raise the sequence only when something really changed."""
        changed = False
        for name, value in fields.items():
            if name not in self.EDITABLE:
                raise AttributeError(name)
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        if changed:
            self.touch()
        return changed

    def __repr__(self) -> str:
        return f"<Event {self.id} booking={self.booking_id}>"
