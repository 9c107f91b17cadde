"""Fixed vocabularies with translated labels (keys are stored, labels shown)."""

from flask_babel import lazy_gettext as _l

WELCOME_FEATURES = {
    "barrier_free": _l("Barrier-free access"),
    "wifi": _l("Free Wi-Fi"),
    "child_friendly": _l("Child-friendly"),
    "cafe": _l("Café"),
    "counselling": _l("Counselling"),
    "quiet_room": _l("Quiet room"),
    "baby_changing": _l("Baby changing table"),
    "accessible_toilet": _l("Accessible toilet"),
    "sign_language": _l("Sign-language interpreter on request"),
}

EQUIPMENT = {
    "projector": _l("Projector"),
    "screen": _l("Screen"),
    "sound_system": _l("Sound system"),
    "whiteboard": _l("Whiteboard"),
    "kitchen": _l("Kitchen"),
    "piano": _l("Piano"),
    "sports_equipment": _l("Sports equipment"),
    "stage": _l("Stage"),
    "wifi": _l("Wi-Fi"),
    "computers": _l("Computers"),
}

WEEKDAYS = {
    0: _l("Monday"),
    1: _l("Tuesday"),
    2: _l("Wednesday"),
    3: _l("Thursday"),
    4: _l("Friday"),
    5: _l("Saturday"),
    6: _l("Sunday"),
}
