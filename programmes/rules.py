"""Which programmes an event may be marked as part of: those its association is an accepted partner of."""

from flask_babel import gettext as _
from sqlalchemy import select

from bookings.errors import violation
from extensions import db
from programmes.models import Programme

MAX_PROGRAMMES = 10


def check_programmes(slugs, association, centre) -> tuple[list[Programme], list]:
    """(the programmes, violations) for an event's ``programmes`` [slug, ...]: an association's event in the
    programmes it is an accepted partner of; a centre's own event in those the centre is a partner centre of."""
    slugs = list(dict.fromkeys(slugs or []))
    if not slugs:
        return [], []
    if len(slugs) > MAX_PROGRAMMES:
        return [], [violation("event.programmes", _("Please choose at most %(num)d programmes.", num=MAX_PROGRAMMES))]
    found = {p.slug: p for p in db.session.scalars(select(Programme).where(Programme.slug.in_(slugs)))}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        return [], [violation("event.programmes", _("There is no programme %(slug)s.", slug=unknown[0][:80]))]
    outside = [found[slug] for slug in slugs if not (
        found[slug].is_partner(association) if association is not None
        else any(c.id == centre.id for c in found[slug].centres))]
    if outside:
        return [], [violation("event.programmes", _(
            "%(association)s is not a partner of %(programme)s; its coordinators can add it.",
            association=association.name if association is not None else centre.display_name(),
            programme=outside[0].display_name()))]
    return [found[slug] for slug in slugs], []


def retag(event, slugs) -> tuple[bool, list]:
    """An edited event's programmes: those kept and new ones it may join (``check_programmes``); its sequence
    raised when they change. Returns (changed, the violations: then nothing is changed)."""
    chosen = list(dict.fromkeys(slugs or []))
    current = list(event.programmes)
    association = event.booking.association if event.booking is not None else None
    added, problems = check_programmes([s for s in chosen if s not in {p.slug for p in current}],
                                       association, event.centre)
    if not problems and len(chosen) > MAX_PROGRAMMES:
        problems = [violation("event.programmes", _("Please choose at most %(num)d programmes.", num=MAX_PROGRAMMES))]
    if problems:
        return False, problems
    kept = [p for p in current if p.slug in chosen]
    if not added and len(kept) == len(current):
        return False, []
    event.programmes = kept + added
    event.touch()
    return True, []
