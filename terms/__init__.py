"""A centre's terms of use, online: the paper form an association used to fill in.

* ``terms.models`` — house rules (per language, versioned) and keys handed out;
* ``terms.pricing`` — the tariff that applies to a request and what it costs;
* ``terms.rules`` — what a request must carry (accepted house rules, a responsible
  person) and the cancellation terms, for every path (form, API, CLI);
* ``terms.services`` — managers' actions: house rules, tariff, keys and deposit;
* ``terms.views`` — the managers' pages (its blueprint); ``terms.keys`` — keys still out and the reminder job.

The package itself imports nothing: the booking services use its rules and prices.
"""
