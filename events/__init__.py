"""Events: the public face of an approved booking (or of a centre's own activity).

For now this package holds the models only; the public calendar, event pages
and feeds are built on them later.
"""
