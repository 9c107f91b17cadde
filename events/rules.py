"""What an event may say: the one check of its public content, for every path.

A booking request with an event (the request form, the JSON API), a centre's
own event and the edit form all call ``check_event``; it returns the content
cleaned and the violations, each naming its field (``title``, ``price``,
``registration_url``, ...). The API prefixes the fields with ``event.``.
"""

import re

from flask_babel import gettext as _

from bookings.errors import RuleViolation, Violation, violation
from bookings.rules import check_text
from events.models import AUDIENCES, Category
from extensions import db
from i18n import clean_texts
from parsing import LANGUAGE_TAG
from urlsafety import MAX_WEB_ADDRESS, is_web_address

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_PRICE = 100
MAX_CONTACT = 200
MAX_LANGUAGES = 30
MAX_TAGS, MAX_TAG_LENGTH = 10, 40
TAG_PATTERN = re.compile(r"^#?[\w][\w-]*$", re.UNICODE)


def split_tags(text: str) -> list[str]:
    """Tags as typed: separated by commas, spaces or the Arabic comma (،)."""
    return [t for t in (part.strip() for part in re.split(r"[,\u060c\s]+", text or "")) if t]


def _too_long(limit) -> str:
    return _("Please use at most %(max)d characters.", max=limit)


def _check_texts(field, texts, limit) -> list[Violation]:
    for text in texts.values():
        if len(text) > limit:
            return [violation(field, _too_long(limit))]
        found = check_text(field, text)
        if found:
            return found
    return []


def check_event(data: dict) -> tuple[dict, list[Violation]]:
    """The event's content cleaned, and what breaks the rules (nothing stored)."""
    title, description = clean_texts(data.get("title")), clean_texts(data.get("description"))
    problems = _check_texts("title", title, MAX_TITLE) + _check_texts("description", description, MAX_DESCRIPTION)
    if not title:
        problems.append(violation("title", _("Please give a title.")))
    category = (data.get("category_key") or "").strip() or None  # blank means no category
    if category is not None and db.session.get(Category, category) is None:
        problems.append(violation("category", _("There is no such category.")))
    audiences = list(dict.fromkeys(data.get("audiences") or []))
    if any(a not in AUDIENCES for a in audiences):
        problems.append(violation("audience", _("There is no such audience.")))
    languages = list(dict.fromkeys(data.get("languages") or []))
    if len(languages) > MAX_LANGUAGES or any(not LANGUAGE_TAG.match(code) for code in languages):
        problems.append(violation("languages", _("Please give languages as codes such as de, tr or ar.")))
    is_free = bool(data.get("is_free", True))
    price = "" if is_free else (data.get("price") or "").strip()
    if not is_free and not price:
        problems.append(violation("price", _("Please give the price, or mark the event as free of charge.")))
    url = (data.get("registration_url") or "").strip()
    if url and not is_web_address(url):
        problems.append(violation("registration_url", _("Please enter a web address such as https://example.org.")))
    contact = (data.get("contact") or "").strip()
    tags = list(dict.fromkeys(split_tags(data.get("tags") or "") if isinstance(data.get("tags"), str)
                              else data.get("tags") or []))
    problems += _check_tags(tags)
    for field, value, limit in (("price", price, MAX_PRICE), ("registration_url", url, MAX_WEB_ADDRESS),
                                ("contact", contact, MAX_CONTACT)):
        if len(value) > limit:
            problems.append(violation(field, _too_long(limit)))
        problems += check_text(field, value)
    cleaned = {
        "title": title, "description": description, "category_key": category, "audiences": audiences,
        "languages": languages, "is_free": is_free, "price": price, "registration_url": url,
        "barrier_free": bool(data.get("barrier_free", False)), "contact": contact, "tags": tags,
    }
    return cleaned, problems


def _check_tags(tags) -> list[Violation]:
    if len(tags) > MAX_TAGS:
        return [violation("tags", _("Please use at most %(num)d tags.", num=MAX_TAGS))]
    if any(len(tag) > MAX_TAG_LENGTH or not TAG_PATTERN.match(tag) for tag in tags):
        return [violation("tags", _("Tags are single words such as #WelcomeWeek (letters, digits, - and _)."))]
    return []


def clean_event(data: dict, *, prefix: str = "event.") -> dict:
    """The event's content, checked; raises RuleViolation naming the fields (``event.title``, ...)."""
    cleaned, problems = check_event(data)
    if problems:
        raise RuleViolation([violation(prefix + p.field, p.message) for p in problems])
    return cleaned
