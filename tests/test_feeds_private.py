"""Private feeds (issue 5): /feeds/<token>.ics of an association's bookings or of a manager's centres.

Pending dates are TENTATIVE, a manager's feed names the associations, nothing of others' bookings leaks,
revoked tokens are dead at once, and the address is unguessable and stored only as a hash.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from feeds.content import window
from feeds.models import ASSOCIATION, CENTRES, FeedToken, hash_token
from tests.feeds_support import (  # noqa: F401 (empty_feed_cache: autouse fixture)
    check_feed,
    empty_feed_cache,
    expand_both,
    local_day,
    make_series,
    seen_of,
    tr,
    unfold,
)


def feed_range():
    win = window()
    return win.start - timedelta(days=1), win.end + timedelta(days=400)


@pytest.fixture
def city(make_centre, make_room, make_association, make_user):
    north = make_centre(slug="nordstadt")
    south = make_centre(slug="suedstadt")
    hall, garden = make_room(north, name="Saal"), make_room(south, name="Garten")
    club = make_association(name="SV Nordstadt")
    other = make_association(name="Anderer Verein")
    member = make_user(associations=[club])
    manager = make_user(role="manager", centres=[north])
    admin = make_user(role="admin")
    return dict(north=north, south=south, hall=hall, garden=garden, club=club, other=other, member=member,
                manager=manager, admin=admin)


def issue(db, user, scope, association=None, language="de"):
    token = FeedToken.issue(user, scope, association=association, language=language)
    db.session.commit()
    return token, token.secret


def test_association_feed_pending_dates_are_tentative(client, city, db):
    club = city["club"]
    approved = make_series(city["north"], city["hall"], local_day(3, 18), count=5, association=club,
                           event=False, statuses={1: "pending", 2: "rejected", 3: "cancelled"})
    approved.title = "Training"
    pending = make_series(city["south"], city["garden"], local_day(4, 10), booking_status="pending",
                          association=club, event=False)
    pending.title = "Sommerfest (Anfrage)"
    foreign = make_series(city["north"], city["hall"], local_day(5, 10), association=city["other"], event=False)
    foreign.title = "Fremde Buchung"
    db.session.commit()
    _, secret = issue(db, city["member"], ASSOCIATION, club)

    response = client.get(f"/feeds/{secret}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    check_feed(body)
    seen = expand_both(body, *feed_range())
    dates = approved.occurrences
    waiting = "Waiting for approval: %(title)s"
    expected = sorted([
        seen_of(dates[0], "Europe/Berlin", "CONFIRMED", "Training", None),
        seen_of(dates[1], "Europe/Berlin", "TENTATIVE", tr("de", waiting, title="Training"), None),
        seen_of(dates[3], "Europe/Berlin", "CANCELLED", tr("de", "Cancelled: %(title)s", title="Training"), None),
        seen_of(dates[4], "Europe/Berlin", "CONFIRMED", "Training", None),
        seen_of(pending.occurrences[0], "Europe/Berlin", "TENTATIVE", tr("de", waiting, title="Sommerfest (Anfrage)"),
                None),
    ])
    assert seen == expected
    assert "Fremde Buchung" not in unfold(body)
    assert "X-WR-CALNAME;LANGUAGE=" in unfold(body)
    assert tr("de", "Bookings of %(association)s", association="SV Nordstadt") in unfold(body)


def test_manager_feed_has_everything_in_their_centres_with_association_names(client, city, db):
    club, other = city["club"], city["other"]
    a = make_series(city["north"], city["hall"], local_day(3, 18), association=club, event=False)
    a.title = "Training"
    b = make_series(city["north"], city["hall"], local_day(4, 18), booking_status="pending", association=other,
                    event=False)
    b.title = "Chorprobe"
    c = make_series(city["south"], city["garden"], local_day(4, 18), association=club, event=False)
    c.title = "Im Süden"
    db.session.commit()
    _, secret = issue(db, city["manager"], CENTRES)
    body = client.get(f"/feeds/{secret}.ics").data
    check_feed(body)
    summaries = sorted(s.summary for s in expand_both(body, *feed_range()))
    named = "%(title)s (%(association)s)"
    assert summaries == sorted([
        tr("de", named, title="Training", association="SV Nordstadt"),
        tr("de", "Waiting for approval: %(title)s", title=tr("de", named, title="Chorprobe",
                                                             association="Anderer Verein")),
    ])
    text_ = unfold(body)
    assert tr("de", "Association") + ": Anderer Verein" in text_
    assert "Im Süden" not in text_
    # An admin's centres feed covers every centre.
    _, admin_secret = issue(db, city["admin"], CENTRES)
    admin_body = client.get(f"/feeds/{admin_secret}.ics").data
    assert len(expand_both(admin_body, *feed_range())) == 3


def test_private_feed_headers(client, city, db):
    _, secret = issue(db, city["member"], ASSOCIATION, city["club"])
    response = client.get(f"/feeds/{secret}.ics")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert client.get(f"/feeds/{secret}.ics", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_revoked_token_is_404_at_once_even_when_cached(client, city, db):
    token, secret = issue(db, city["member"], ASSOCIATION, city["club"])
    assert client.get(f"/feeds/{secret}.ics").status_code == 200
    assert client.get(f"/feeds/{secret}.ics").status_code == 200  # now kept in the cache
    token.revoke()
    db.session.commit()
    assert client.get(f"/feeds/{secret}.ics").status_code == 404
    assert client.head(f"/feeds/{secret}.ics").status_code == 404


@pytest.mark.parametrize("change", ["deactivated", "left the association", "no longer manager"])
def test_token_dies_with_its_owners_rights(client, city, db, change):
    if change == "no longer manager":
        user, scope, association = city["manager"], CENTRES, None
    else:
        user, scope, association = city["member"], ASSOCIATION, city["club"]
    _, secret = issue(db, user, scope, association)
    assert client.get(f"/feeds/{secret}.ics").status_code == 200
    if change == "deactivated":
        user.active = False
    elif change == "left the association":
        user.associations = []
    else:
        user.role = "member"
    db.session.commit()
    assert client.get(f"/feeds/{secret}.ics").status_code == 404


@pytest.mark.parametrize("path", [
    "/feeds/wsf_nothing.ics", "/feeds/.ics", "/feeds/" + "a" * 300 + ".ics", "/feeds/%00.ics",
    "/feeds/wsf_' OR 1=1 --.ics", "/feeds/ws_abc.ics",
])
def test_unknown_tokens_are_404(client, city, path):
    assert client.get(path).status_code == 404


def test_token_is_unguessable_and_stored_only_as_hash(city, db, app):
    token, secret = issue(db, city["member"], ASSOCIATION, city["club"])
    assert secret.startswith("wsf_") and len(secret) >= 40
    assert token.token_hash == hash_token(secret)
    dump = " ".join(str(v) for v in db.session.execute(text("SELECT * FROM feed_token")).one())
    assert secret not in dump and secret[4:] not in dump
    other, other_secret = issue(db, city["member"], ASSOCIATION, city["club"])
    assert other_secret != secret
    assert FeedToken.find(secret) is token


def test_secret_key_change_keeps_old_addresses_working_but_hidden(client, city, db, app):
    token, secret = issue(db, city["member"], ASSOCIATION, city["club"])
    old_key = app.config["SECRET_KEY"]
    app.secret_key = app.config["SECRET_KEY"] = "another-secret"
    try:
        assert token.secret is None
        assert client.get(f"/feeds/{secret}.ics").status_code == 200
    finally:
        app.secret_key = app.config["SECRET_KEY"] = old_key
    assert token.secret == secret


def test_private_data_never_in_public_feeds(client, city, db):
    make_series(city["north"], city["hall"], local_day(3, 18), association=city["club"], event=False)
    booking = db.session.scalars(select(FeedToken)).first()
    assert booking is None
    body = unfold(client.get("/de/events.ics").data) + unfold(client.get("/de/centres/nordstadt/events.ics").data)
    assert "BEGIN:VEVENT" not in body
    assert "SV Nordstadt" not in body
