"""Users, associations and API tokens."""

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from flask import current_app, has_app_context
from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, String, Table, false, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from timeutil import utcnow

ROLES = ("admin", "manager", "member")
# scrypt at OWASP's parameters (N=2^17, r=8, p=1; config PASSWORD_HASH); older hashes are renewed at the
# next sign-in.
PASSWORD_METHOD = "scrypt:131072:8:1"


def password_method() -> str:
    return current_app.config.get("PASSWORD_HASH", PASSWORD_METHOD) if has_app_context() else PASSWORD_METHOD

association_members = Table(
    "association_member",
    db.metadata,
    Column("association_id", ForeignKey("association.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    # the association's admins invite and remove members and hand the role on (accounts.members)
    Column("admin", Boolean, nullable=False, default=False, server_default=false()),
)

centre_managers = Table(
    "centre_manager",
    db.metadata,
    Column("centre_id", ForeignKey("centre.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20), default="member")
    preferred_language: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # None while a self-registered account has not confirmed its address (accounts created by an
    # operator or an admin count as confirmed).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # anonymised (accounts.personal)

    associations: Mapped[list["Association"]] = relationship(
        secondary=association_members, back_populates="members", order_by="Association.name"
    )
    managed_centres: Mapped[list["Centre"]] = relationship(  # noqa: F821
        secondary=centre_managers, back_populates="managers", order_by="Centre.slug"
    )
    tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.created_at"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_manager(self) -> bool:
        return self.role == "manager" or self.is_admin

    # The session this user object was signed in or loaded with (accounts.sessions); None outside a request.
    session_token = None  # type: str | None

    def set_password(self, password: str) -> None:
        """A new password ends every session of the user (the caller starts a new one for this device)."""
        self.password_hash = generate_password_hash(password, method=password_method())
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rehash(self, password: str) -> bool:
        """After a successful sign-in: renew a hash made with older parameters than today's (werkzeug's
        default scrypt, or a weaker method); the sessions stay. Returns whether it changed."""
        if (self.password_hash or "").startswith(password_method() + "$"):
            return False
        self.password_hash = generate_password_hash(password, method=password_method())
        return True

    def end_sessions(self, *, keep: str | None = None) -> None:
        """Sign out every session (and remember-me cookie) of the user, but ``keep`` (a session token)."""
        query = update(UserSession).where(UserSession.user_id == self.id, UserSession.ended_at.is_(None))
        if keep:
            query = query.where(UserSession.token_hash != hash_token(keep))
        db.session.execute(query.values(ended_at=utcnow()))

    @classmethod
    def authenticate(cls, email: str, password: str):
        """The active user with this e-mail and password, or None.

        Always spends one password-hash check, also for an unknown e-mail
        address, so the answer time does not tell which addresses exist.
        """
        user = cls.by_email(email)
        if user is None or not user.password_hash:
            check_password_hash(_dummy_hash(password_method()), password)
            return None
        if not user.check_password(password) or not user.is_active:
            return None
        return user

    @property
    def display_name(self) -> str:
        """Name or address; "deleted member" once the account is deleted (accounts kept for the records)."""
        if self.deleted_at is not None:
            return gettext("deleted member")
        return self.name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    # Sessions and "stay signed in" cookies carry the user's id and the token of a session
    # record (accounts.sessions): signing out, a new password, a new role or deactivation
    # end the record, and so every cookie that names it.
    def get_id(self) -> str:
        return f"{self.id}.{self.session_token or ''}"

    def change_role(self, role: str) -> None:
        """The one place a role changes: a user who is no longer a manager keeps no centre (an admin manages
        every centre without assignments), so the old role's powers end with it — and every session too."""
        if role != self.role and self.id is not None:
            self.end_sessions()
        self.role = role
        if role != "manager":
            self.managed_centres = []

    def deactivate(self) -> None:
        self.active = False
        if self.id is not None:
            self.end_sessions()

    def manages(self, centre) -> bool:
        """Admins manage every centre; managers those assigned to them, and only while they are managers."""
        if centre is None:
            return False
        return self.is_admin or (self.role == "manager" and any(c.id == centre.id for c in self.managed_centres))

    def is_member_of(self, association) -> bool:
        if association is None:
            return False
        return any(a.id == association.id for a in self.associations)

    @classmethod
    def by_email(cls, email: str):
        return db.session.scalar(select(cls).where(cls.email == normalise_email(email)))

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def normalise_email(email: str) -> str:
    """Lower case, no spaces, an international domain in its ASCII (IDNA) form: one spelling per address."""
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            email = f"{local}@{domain.encode('idna').decode('ascii')}"
        except UnicodeError:
            pass
    return email


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


ASSOCIATION_KINDS = (
    "migrant_organisation",
    "club",
    "initiative",
    "school",
    "religious_community",
    "welfare_organisation",
    "public_body",
    "other",
)


class Association(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="other")
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # anonymised (accounts.personal)

    members: Mapped[list[User]] = relationship(
        secondary=association_members, back_populates="associations", order_by=User.email
    )

    def can_view_contact(self, user) -> bool:
        """Contact data is not public: members, managers and admins only."""
        if not user or not user.is_authenticated:
            return False
        return user.is_manager or user.is_member_of(self)

    def can_verify(self, user) -> bool:
        """Managers and admins verify associations (verifying twice changes nothing)."""
        return bool(user and user.is_authenticated and user.is_manager)

    def can_edit(self, user) -> bool:
        if not user or not user.is_authenticated:
            return False
        return user.is_admin or user.is_member_of(self)

    def verify(self, by) -> None:
        if self.verified:
            return
        self.verified = True
        self.verified_at = utcnow()
        self.verified_by_id = by.id if by else None

    def unverify(self) -> None:
        self.verified = False
        self.verified_at = None
        self.verified_by_id = None

    def __repr__(self) -> str:
        return f"<Association {self.name}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    PREFIX = "ws_"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple["ApiToken", str]:
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(user=user, name=name.strip(), token_hash=hash_token(secret), hint=secret[:9])
        db.session.add(token)
        return token, secret

    @classmethod
    def find_user(cls, secret: str):
        if not secret or len(secret) > 200:
            return None
        token = db.session.scalar(select(cls).where(cls.token_hash == hash_token(secret), cls.revoked_at.is_(None)))
        if token is None or not token.user.is_active:
            return None
        return token

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = utcnow()


class UserSession(db.Model):
    """One signed-in device: the cookie carries its token, the database decides whether it still holds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)  # the absolute end
    idle_until: Mapped[datetime] = mapped_column(DateTime)  # the end unless used again
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    user: Mapped[User] = relationship()

    def holds(self, now) -> bool:
        return self.ended_at is None and now < self.expires_at and now < self.idle_until


class PasswordReset(db.Model):
    """A link to set a new password: single use, an hour long; only the token's SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class Invitation(db.Model):
    """An association admin's invitation to join, sent to an e-mail address; only the token's SHA-256 is
    stored, and the address is forgotten once the invitation is accepted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    association: Mapped[Association] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def open(self, now) -> bool:
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at
