"""State changes of bookings: request, approve, reject, cancel, withdraw.

Every path (form, API, manager pages, CLI) calls these functions; they check
the rules (bookings.rules), lock what must be locked, change the rows, record
the change, queue the e-mails (sent after commit) and ``flush``. The caller
commits. Domain errors: NotPermitted (403), RuleViolation (422),
BookingConflict and InvalidState (409).

The work is in bookings.requests (asking for a room) and bookings.decisions
(approving, rejecting, cancelling, and the locks); this module is the one
name to import them by.
"""

from bookings.decisions import approve, cancel, occurrence_on, reject, withdraw
from bookings.requests import BookingRequest, plan_booking, request_booking

__all__ = ["BookingRequest", "approve", "cancel", "occurrence_on", "plan_booking", "reject", "request_booking",
           "withdraw"]
