"""An association's members and its admins.

The association's admins invite people by e-mail, remove members and hand the admin role on; every member
can leave. An association always keeps at least one admin: the last one can neither leave, nor be removed,
nor lose the role (``LastAdmin``). Members, managers and city admins see the member list; other associations
never do (accounts.views.load_association answers 404). City admins may act as an association's admin
(support), centre managers only look.
"""

import secrets
from datetime import timedelta

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update

import mail
from accounts.models import Invitation, User, association_members, hash_token, normalise_email
from accounts.notices import greeted
from extensions import db
from timeutil import utcnow

INVITATION_DAYS = 14


class LastAdmin(Exception):
    """The change would leave the association without an admin."""


def _row(association, user):
    return (association_members.c.association_id == association.id) & (association_members.c.user_id == user.id)


def is_admin_of(user, association) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or association is None:
        return False
    return bool(db.session.scalar(select(association_members.c.admin).where(_row(association, user))))


def can_manage(user, association) -> bool:
    """Who invites, removes and hands the admin role on: the association's admins, and the city's admins."""
    return bool(getattr(user, "is_admin", False)) or is_admin_of(user, association)


def roster(association) -> list[tuple[User, bool]]:
    """(member, is admin), admins first."""
    rows = db.session.execute(
        select(User, association_members.c.admin).join(association_members,
                                                       association_members.c.user_id == User.id)
        .where(association_members.c.association_id == association.id)
        .order_by(association_members.c.admin.desc(), User.name, User.email))
    return [(user, bool(admin)) for user, admin in rows]


def admin_count(association) -> int:
    return db.session.scalar(select(func.count()).select_from(association_members).where(
        association_members.c.association_id == association.id, association_members.c.admin.is_(True)))


def add(association, user, *, admin=False) -> None:
    """Make ``user`` a member (an admin with ``admin``); a member already stays one, and gains the role."""
    if db.session.scalar(select(func.count()).select_from(association_members).where(_row(association, user))):
        if admin:
            db.session.execute(update(association_members).where(_row(association, user)).values(admin=True))
    else:
        db.session.execute(insert(association_members).values(association_id=association.id, user_id=user.id,
                                                              admin=admin))
    db.session.expire(user, ["associations"])
    db.session.expire(association, ["members"])


def set_admin(association, user, admin: bool) -> None:
    if not admin and is_admin_of(user, association) and admin_count(association) <= 1:
        raise LastAdmin
    db.session.execute(update(association_members).where(_row(association, user)).values(admin=admin))


def remove(association, user) -> None:
    """Remove a member (also oneself: leaving). The last admin stays."""
    if is_admin_of(user, association) and admin_count(association) <= 1:
        raise LastAdmin
    db.session.execute(delete(association_members).where(_row(association, user)))
    db.session.expire(user, ["associations"])
    db.session.expire(association, ["members"])


def open_invitations(association) -> list[Invitation]:
    now = utcnow()
    return list(db.session.scalars(select(Invitation).where(
        Invitation.association_id == association.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now).order_by(Invitation.created_at)))


def invite(association, email, by, lang) -> Invitation:
    """A new invitation (an earlier open one to the same address ends) and its mail in ``lang``."""
    email, now = normalise_email(email), utcnow()
    db.session.execute(update(Invitation).where(
        Invitation.association_id == association.id, Invitation.email == email, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(association=association, email=email, lang=lang, token_hash=hash_token(token),
                            invited_by=by, created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    _invitation_mail(invitation, token, by)
    return invitation


def _invitation_mail(invitation, token, by) -> None:
    lang = invitation.lang
    with force_locale(lang):
        notice = greeted(lang, _("Join %(association)s on Welcome Spaces", association=invitation.association.name),
                         "")
        notice.paragraphs.append(_("%(person)s invites you to join %(association)s: its members book rooms in "
                                   "the district centres and publish its events.",
                                   person=by.name or by.email, association=invitation.association.name))
        notice.paragraphs.append(_("Open the link to accept, by signing in or by creating an account. It works "
                                   "once, for %(days)d days.", days=INVITATION_DAYS))
        notice.link = url_for("accounts.invitation", lang=lang, token=token, _external=True)
        notice.link_label = _("Accept the invitation")
        mail.queue_notice(invitation.email, "", notice, f"invitation:{invitation.id}")


def find_invitation(token: str):
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))


def accept(invitation, user) -> None:
    """The invited person joins (as a member); the invitation is used up and its address forgotten."""
    add(invitation.association, user)
    invitation.accepted_at, invitation.accepted_by_id, invitation.email = utcnow(), user.id, ""
