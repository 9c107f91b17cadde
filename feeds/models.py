"""Private feed tokens: the secret part of /feeds/<token>.ics.

A token opens the calendar of one association's bookings (for its members) or
of the centres a manager manages. Only the SHA-256 of the token is stored, and
the address is looked up by that hash; revoking a token makes its address a
404 at once.

Unlike an API token, a feed address has to be shown again (the association's
dashboard shows it with its QR code whenever a member wants to subscribe on
another device). So the token is not random text kept somewhere: it is
derived from a random ``nonce`` stored with it and the application's secret
key (HMAC-SHA256). The database alone does not reveal any address; whoever
holds the secret key can sign sessions anyway. Should the secret key change,
old addresses keep working (the hash is what is looked up) but can no longer
be shown; the account page then says so and offers a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Date, DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centres.models import Centre
from extensions import db
from timeutil import utcnow

ASSOCIATION, CENTRES = "association", "centres"
SCOPES = (ASSOCIATION, CENTRES)
PREFIX = "wsf_"
MAX_TOKEN_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def derive_token(nonce: str, secret_key: str | bytes) -> str:
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    digest = hmac.new(key, f"feed-token:{nonce}".encode(), hashlib.sha256).digest()
    return PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class FeedToken(db.Model):
    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # Set for an association's feed; NULL for the feed of the user's centres.
    association_id: Mapped[int | None] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(10), default="de")
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()  # noqa: F821
    association: Mapped[Association | None] = relationship()  # noqa: F821

    # --- making and finding ---------------------------------------------------------

    @classmethod
    def issue(cls, user, scope: str, *, association=None, language: str = "de", name: str = "") -> FeedToken:
        if scope not in SCOPES or (scope == ASSOCIATION) != (association is not None):
            raise ValueError(scope)
        nonce = secrets.token_hex(16)
        token = cls(user=user, association=association, scope=scope, name=(name or "").strip()[:100],
                    language=language, nonce=nonce,
                    token_hash=hash_token(derive_token(nonce, current_app.secret_key)))
        db.session.add(token)
        return token

    @classmethod
    def find(cls, secret: str) -> FeedToken | None:
        """The active token for this secret whose owner may still read its feed, else None."""
        if not secret or len(secret) > MAX_TOKEN_LENGTH or not secret.startswith(PREFIX):
            return None
        token = db.session.scalar(
            select(cls).where(cls.token_hash == hash_token(secret), cls.revoked_at.is_(None))
        )
        if token is None or not token.is_usable:
            return None
        return token

    @classmethod
    def active_for(cls, user) -> list[FeedToken]:
        return list(db.session.scalars(
            select(cls).where(cls.user_id == user.id, cls.revoked_at.is_(None)).order_by(cls.created_at, cls.id)
        ))

    # --- questions -------------------------------------------------------------------

    @property
    def secret(self) -> str | None:
        """The token, derived again; None when the secret key changed since it was made."""
        value = derive_token(self.nonce, current_app.secret_key)
        return value if hmac.compare_digest(hash_token(value), self.token_hash) else None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_usable(self) -> bool:
        """Active, and its owner is still active and still entitled to what it shows."""
        user = self.user
        if not self.is_active or user is None or not user.is_active:
            return False
        if self.scope == ASSOCIATION:
            return user.is_member_of(self.association)
        return user.is_manager

    def centres(self) -> list:
        """The centres of a centres feed: those the owner manages (an admin: all of them)."""
        if self.scope != CENTRES:
            return []
        if self.user.is_admin:
            return list(db.session.scalars(select(Centre).order_by(Centre.slug)))
        return [centre for centre in self.user.managed_centres if self.user.manages(centre)]

    def can_revoke(self, user) -> bool:
        return bool(user and user.is_authenticated and user.id == self.user_id)

    # --- changes ------------------------------------------------------------------------

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = utcnow()

    def __repr__(self) -> str:
        return f"<FeedToken {self.id} {self.scope}>"


def can_create_association_feed(user, association) -> bool:
    """Members of the association (an admin who is not a member has the centres feed instead)."""
    return bool(user and user.is_authenticated and association is not None and user.is_member_of(association))


def can_create_centres_feed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_manager)


class FeedFragment(db.Model):
    """One event's VEVENT text in a public feed, kept under the key ``feeds.fragments`` makes of everything the
    text depends on (so any process may take it: a restarted worker assembles its feeds without rendering)."""

    __tablename__ = "feed_fragment"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False, index=True)  # the feed window's day: older ones go
