"""Partners of a programme: an association's admins ask to join (a coordinator accepts) or a coordinator invites
(the association's admins accept); either side ends it. Events: coordinators add or remove them."""

from flask_babel import gettext as _

from accounts import members
from bookings.errors import InvalidState, NotPermitted
from extensions import db
from programmes import images
from programmes.models import ACCEPTED, ASKED, INVITED, ROLES, ProgrammePartner
from timeutil import utcnow


def ask(programme, association, by) -> ProgrammePartner:
    if not members.can_manage(by, association):
        raise NotPermitted()
    link = programme.partner_of(association)
    if link is not None and link.status == INVITED:
        return accept(link, by)
    if link is not None:
        raise InvalidState(_("%(association)s has asked already or is a partner.", association=association.name))
    link = ProgrammePartner(programme=programme, association=association, status=ASKED)
    db.session.add(link)
    db.session.flush()
    return link


def invite(programme, association, role, by) -> ProgrammePartner:
    if not programme.can_coordinate(by):
        raise NotPermitted()
    role = role if role in ROLES else "partner"
    link = programme.partner_of(association)
    if link is not None and link.status == ASKED:
        link.role = role
        return accept(link, by)
    if link is not None:
        raise InvalidState(_("%(association)s is invited already or is a partner.", association=association.name))
    link = ProgrammePartner(programme=programme, association=association, role=role, status=INVITED)
    db.session.add(link)
    db.session.flush()
    return link


def may_accept(link, user) -> bool:
    if link.status == ASKED:
        return link.programme.can_coordinate(user)
    if link.status == INVITED:
        return members.can_manage(user, link.association)
    return False


def accept(link, by) -> ProgrammePartner:
    if link.status == ACCEPTED:
        raise InvalidState(_("%(association)s is a partner already.", association=link.association.name))
    if not may_accept(link, by):
        raise NotPermitted()
    link.status, link.answered_at = ACCEPTED, utcnow()
    db.session.flush()
    return link


def remove(link, by) -> None:
    """A coordinator removes a partner (or declines its request); the association's admins leave (or decline)."""
    if not (link.programme.can_coordinate(by) or members.can_manage(by, link.association)):
        raise NotPermitted()
    images.replace(link.logo, None)  # its logo goes with it
    db.session.delete(link)
    db.session.flush()


def add_event(programme, event, by) -> None:
    if not programme.can_coordinate(by):
        raise NotPermitted()
    if programme not in event.programmes:
        event.programmes.append(programme)
        event.touch()
    db.session.flush()


def remove_event(programme, event, by) -> None:
    if not programme.can_coordinate(by):
        raise NotPermitted()
    if programme in event.programmes:
        event.programmes.remove(programme)
        event.touch()
    db.session.flush()
