"""What a booking costs: the tariff that applies, the fee for its dates and the deposit.

Money is integer cents of the centre's currency; amounts are computed with
Decimal and rounded half up to the cent per date. An hourly rate counts the
real time of a date (a night across a clock change is an hour shorter or
longer), plus a flat rate per date, times the tariff's percentage. The
deposit is the room's, once per booking. A centre's own activity costs nothing.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_currency
from flask_babel import lazy_gettext as _l

STANDARD, REDUCED, FREE, COMMERCIAL = "standard", "reduced", "free", "commercial"
TARIFFS = (STANDARD, REDUCED, FREE, COMMERCIAL)
TARIFF_LABELS = {
    STANDARD: _l("standard"),
    REDUCED: _l("reduced (non-profit)"),
    FREE: _l("free (non-profit, open to all, free of charge)"),
    COMMERCIAL: _l("commercial"),
}
# Association kinds that are not non-profit by their nature (accounts.models.ASSOCIATION_KINDS).
FOR_PROFIT_KINDS = frozenset({"other"})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Fee:
    tariff: str
    amount_cents: int
    deposit_cents: int
    currency: str

    def as_json(self) -> dict:
        return {"amount": as_decimal(self.amount_cents), "deposit": as_decimal(self.deposit_cents),
                "currency": self.currency, "tariff": self.tariff}


def as_decimal(cents: int) -> str:
    """Cents as the API writes amounts: '45.00'."""
    return str((Decimal(cents) / 100).quantize(CENT))


def money(cents: int, currency: str) -> str:
    """An amount in the reader's language and conventions (Babel)."""
    return format_currency(Decimal(cents) / 100, currency)


def tariff_for(association, *, commercial: bool, public: bool, free_of_charge: bool) -> str:
    """The rule: a centre's own activity is free; a commercial purpose pays the surcharge; a non-profit
    association's offer open to all (public) and free of charge is free; other non-profit use is reduced."""
    if association is None:
        return FREE
    if commercial:
        return COMMERCIAL
    non_profit = association.kind not in FOR_PROFIT_KINDS
    if non_profit and public and free_of_charge:
        return FREE
    return REDUCED if non_profit else STANDARD


def tariff_of_request(request) -> str:
    """The tariff of a BookingRequest (bookings.requests): its event is public once approved."""
    event = request.event
    free_of_charge = event is not None and event.get("is_free", True) and not (event.get("price") or "").strip()
    return tariff_for(request.association, commercial=request.commercial, public=event is not None,
                      free_of_charge=free_of_charge)


def percent(centre, tariff: str) -> int:
    return {STANDARD: 100, REDUCED: centre.reduced_percent, FREE: 0, COMMERCIAL: centre.commercial_percent}[tariff]


def date_fee(room, start, end, share: int) -> int:
    """One date's fee in cents: the hourly rate for its real length plus the flat rate, times share %."""
    minutes = Decimal(int((end - start).total_seconds()) // 60)
    base = Decimal(room.hourly_rate_cents or 0) * minutes / 60 + Decimal(room.flat_rate_cents or 0)
    return int((base * share / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fee_for(room, centre, tariff: str, intervals, *, centre_booking=False) -> Fee:
    """The fee for these dates ((start, end) naive UTC) and the deposit."""
    if room is None or centre_booking:
        return Fee(FREE if centre_booking else tariff, 0, 0, centre.currency)
    share = percent(centre, tariff)
    intervals = list(intervals)
    amount = sum(date_fee(room, start, end, share) for start, end in intervals)
    return Fee(tariff, amount, (room.deposit_cents or 0) if intervals else 0, centre.currency)


def apply(booking, occurrences=None) -> Fee:
    """Store the fee for the booking's dates still held (pending or approved), under its tariff."""
    if occurrences is None:
        occurrences = [o for o in booking.occurrences if o.status in ("pending", "approved")]
    fee = fee_for(booking.room, booking.centre, booking.tariff, [(o.starts_at, o.ends_at) for o in occurrences],
                  centre_booking=booking.association is None)
    booking.tariff, booking.currency = fee.tariff, fee.currency
    booking.fee_cents, booking.deposit_cents = fee.amount_cents, fee.deposit_cents
    return fee


def fee_of(booking) -> Fee:
    return Fee(booking.tariff, booking.fee_cents or 0, booking.deposit_cents or 0, booking.currency or "EUR")
