"""Managers' pages: the queue of requests per centre, and the week of each room (printable as a door sign)."""

from dataclasses import dataclass, field
from datetime import datetime, time

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts.access import manager_required
from bookings import bp
from bookings.display import occurrence_label, parse_week, room_week
from bookings.forms import ApproveForm, RejectForm
from bookings.models import PENDING, Booking, pending_bookings
from bookings.rules import find_competing, find_conflicts
from centres.models import Centre, Room
from extensions import db
from parsing import ID
from timeutil import to_utc_naive, utcnow, zone
from waitlist.views import lines


def managed_centres():
    query = select(Centre).order_by(Centre.slug)
    if not current_user.is_admin:
        query = query.where(Centre.managers.any(id=current_user.id))
    return db.session.scalars(query).all()


@dataclass
class QueueItem:
    booking: Booking
    dates: list  # pending occurrences
    conflicts: dict  # occurrence id -> approved occurrences in the way
    competitors: set = field(default_factory=set)  # ids of competing pending bookings
    approve_form: ApproveForm | None = None
    reject_form: RejectForm | None = None


@dataclass
class QueueGroup:
    items: list

    @property
    def competing(self) -> bool:
        return len(self.items) > 1


def build_queue(centre, now, next_url) -> list[QueueGroup]:
    """The centre's pending requests, oldest first; requests competing for the same room and time grouped."""
    bookings = db.session.scalars(
        pending_bookings([centre.id]).options(
            selectinload(Booking.occurrences), selectinload(Booking.association), selectinload(Booking.room)
        )
    ).all()
    tz_name = centre.timezone
    items = {}
    for booking in bookings:
        dates = booking.occurrences_with(PENDING)
        intervals = [(o.starts_at, o.ends_at) for o in dates]
        held = find_conflicts(booking.room_id, intervals, exclude_booking_id=booking.id)
        conflicts = {dates[i].id: hits for i, hits in held.items()}
        competitors = {o.booking_id for o in find_competing(booking.room_id, intervals, exclude_booking_id=booking.id)}
        approve_form = ApproveForm.for_booking(booking, formdata=None)
        approve_form.occurrences.choices = [(o.id, occurrence_label(o, tz_name)) for o in dates]
        approve_form.occurrences.data = [o.id for o in dates if o.id not in conflicts and o.starts_at > now]
        approve_form.next.data = next_url
        reject_form = RejectForm.for_booking(booking, formdata=None)
        reject_form.next.data = next_url
        items[booking.id] = QueueItem(booking, dates, conflicts, competitors, approve_form, reject_form)
    # Group competing requests (connected through overlapping dates), keeping the oldest-first order.
    parent = {booking_id: booking_id for booking_id in items}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for booking_id, item in items.items():
        for other in item.competitors:
            if other in parent:
                parent[root(other)] = root(booking_id)
    groups: dict[int, list] = {}
    for booking in bookings:
        groups.setdefault(root(booking.id), []).append(items[booking.id])
    return [QueueGroup(group) for group in groups.values()]


@bp.route("/<lang:lang>/manage/requests/")
@manager_required
def queue():
    centres = managed_centres()
    slug = request.args.get("centre", "")
    if slug:
        centre = Centre.by_slug(slug)
        if centre is None:
            abort(404)
        if not centre.can_manage(current_user):
            abort(403)
        centres = [centre]
    now = utcnow()
    next_url = request.full_path.rstrip("?")
    sections = [(centre, build_queue(centre, now, next_url)) for centre in centres]
    waiting_lines = {centre.id: lines(centre_ids=[centre.id]) for centre in centres}
    return render_template("bookings/queue.html", sections=sections, selected=slug, all_centres=managed_centres(),
                           label=occurrence_label, now=now, waiting_lines=waiting_lines)


@bp.route(f"/<lang:lang>/manage/rooms/<{ID}:room_id>/week")
@manager_required
def week(room_id):
    room = db.session.get(Room, room_id)
    if room is None:
        abort(404)
    if not room.centre.can_manage(current_user):
        abort(403)
    first = parse_week(request.args.get("week"), room.centre.timezone)
    rooms = room.centre.rooms
    week_ = room_week(room, first, details=True)
    tz = zone(room.centre.timezone)
    start = to_utc_naive(datetime.combine(week_.first, time.min, tzinfo=tz))
    end = to_utc_naive(datetime.combine(week_.next, time.min, tzinfo=tz))
    return render_template("bookings/week.html", room=room, centre=room.centre, rooms=rooms, week=week_,
                           waiting=lines(room_id=room.id, start=start, end=end))
