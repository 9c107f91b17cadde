"""Feed addresses, the poster page, and creating and revoking private feed addresses.

Public:  /<lang>/events.ics (the calendar's filters), /<lang>/centres/<slug>/events.ics,
         /<lang>/events/<id>/event.ics (one event, "Add to calendar"),
         /<lang>/centres/<slug>/poster (a printable poster with the QR code).
Private: /feeds/<token>.ics — an association's or a manager's bookings.
"""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from accounts.models import Association
from centres.models import Centre
from events.queries import EventFilters, public_event
from extensions import db, limiter
from feeds import bp, build
from feeds.forms import FeedTokenForm, RevokeFeedForm
from feeds.http import feed_response
from feeds.links import centre_links
from feeds.models import ASSOCIATION, CENTRES, FeedToken, can_create_association_feed, can_create_centres_feed
from i18n import current_language
from parsing import ID, parse_id


def load_centre(slug) -> Centre:
    centre = db.session.scalar(select(Centre).where(Centre.slug == slug))
    if centre is None:
        abort(404)
    return centre


@limiter.request_filter
def _unlimited() -> bool:
    """The public feeds have no per-request limit: a build is limited inside (feeds.build.limited), a cached
    answer is free. A request filter, not ``limiter.exempt``: the limiter then resolves nothing for them."""
    return request.endpoint in ("feeds.events_feed", "feeds.centre_feed")


@bp.route("/<lang:lang>/events.ics", methods=["GET"])
def events_feed():
    """Every public event, with the calendar page's filters; filters it cannot read are left out (as there)."""
    return feed_response(build.public_feed(current_language(), EventFilters.from_args(request.args)))


@bp.route("/<lang:lang>/centres/<slug>/events.ics", methods=["GET"])
def centre_feed(slug):
    """One centre's public events (the calendar's other filters apply too)."""
    payload = build.public_feed(current_language(), EventFilters.from_args(request.args), slug)
    if payload is None:
        abort(404)
    return feed_response(payload, filename=re.sub(r"[^A-Za-z0-9_-]", "", slug)[:60] + ".ics")


@bp.route(f"/<lang:lang>/events/<{ID}:event_id>/event.ics", methods=["GET"])
def event_file(event_id):
    """One public event's dates as a file to open in a calendar ("Add to calendar")."""
    event = public_event(event_id)
    if event is None:
        abort(404)
    return feed_response(build.event_file(event, current_language()), filename=f"event-{event.id}.ics", attachment=True)


@bp.route("/feeds/<token>.ics", methods=["GET"])
def private(token):
    found = FeedToken.find(token)
    if found is None:
        abort(404)
    return feed_response(build.private_feed(found), private=True, filename="bookings.ics")


@bp.route("/<lang:lang>/centres/<slug>/poster", methods=["GET"])
def poster(slug):
    centre = load_centre(slug)
    return render_template("feeds/poster.html", centre=centre, feed=centre_links(centre))


# --- private feed addresses ------------------------------------------------------------------------


@bp.route("/<lang:lang>/account/feeds", methods=["POST"])
@login_required
def create_token():
    """A new private feed address for one of the user's associations, or for the centres a manager manages."""
    form = FeedTokenForm(user=current_user)
    scope, association = asked_for(form.feed.data)
    if scope == ASSOCIATION and not can_create_association_feed(current_user, association):
        abort(403)
    if scope == CENTRES and not can_create_centres_feed(current_user):
        abort(403)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(_back())
    FeedToken.issue(current_user, scope, association=association, language=form.language.data,
                    name=form.name.data or "")
    db.session.commit()
    flash(_("Your private calendar address is ready. Keep it to yourself: whoever has it sees your bookings."),
          "success")
    return redirect(_back())


def asked_for(value) -> tuple[str | None, Association | None]:
    """(scope, association) a submitted choice names; an association that does not exist is a 404."""
    value = value or ""
    if value == CENTRES:
        return CENTRES, None
    prefix = f"{ASSOCIATION}-"
    number = value[len(prefix):]
    if value.startswith(prefix):
        try:
            association_id = parse_id(number)
        except ValueError:
            return None, None
        association = db.session.get(Association, association_id)
        if association is None:
            abort(404)
        return ASSOCIATION, association
    return None, None


@bp.route(f"/<lang:lang>/account/feeds/<{ID}:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = db.session.get(FeedToken, token_id)
    if token is None or not token.can_revoke(current_user):
        abort(404)
    form = RevokeFeedForm()
    if not form.validate_on_submit():
        abort(400)
    token.revoke()
    db.session.commit()
    flash(_("The calendar address is revoked. Calendars subscribed to it no longer get your bookings."), "success")
    return redirect(_back())


def _back() -> str:
    """Back to the page the form was on: the account page or the bookings dashboard."""
    if "dashboard" in (request.form.get("back"), request.form.get("feed-back")):
        return url_for("bookings.dashboard") + "#private-feeds"
    return url_for("accounts.account") + "#private-feeds"
