"""Personal data leaves with its owner: export (GDPR Art. 15/20), deletion and anonymisation (Art. 17), and the
retention period for past bookings (Art. 5(1)(e)).

* ``privacy.export`` — the ZIP of JSON and CSV for a user and for an association;
* ``privacy.erase`` — deleting an account or an association, the retention purge;
* ``privacy.views`` — the pages; ``privacy.retention`` — ``flask purge`` and the daily job.
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/<lang:lang>")

from privacy import retention, views  # noqa: E402,F401
