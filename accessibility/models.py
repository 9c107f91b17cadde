"""The easy-language text as admins edit it, and videos in German Sign Language (DGS) with WebVTT captions and
a transcript, uploaded by admins.

The files live in the instance folder (``instance/media/sign-language/``), never with a third party, and are
served by the app itself (``accessibility.manage``).
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from timeutil import utcnow

VIDEO_TYPES = {"video/webm": "webm", "video/mp4": "mp4"}


class SignLanguageVideo(db.Model):
    __tablename__ = "sign_language_video"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)  # {lang: text}
    mime_type: Mapped[str] = mapped_column(String(20))
    captions: Mapped[str] = mapped_column(Text)  # WebVTT, German captions of the signed text
    transcript: Mapped[dict] = mapped_column(JSON, default=dict)  # {lang: text}
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def extension(self) -> str:
        return VIDEO_TYPES[self.mime_type]

    @property
    def filename(self) -> str:
        return f"{self.id}.{self.extension}"

    @classmethod
    def ordered(cls) -> list["SignLanguageVideo"]:
        return list(db.session.scalars(select(cls).order_by(cls.created_at, cls.id)))


class SiteText(db.Model):
    """A text of the site that admins edit, per language (``{lang: text}``); the shipped text until then."""

    __tablename__ = "site_text"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
