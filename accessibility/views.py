"""/<lang>/easy-language and /<lang>/sign-language, linked from the header of every page."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

import i18n
from accessibility import bp
from accessibility.models import SignLanguageVideo, SiteText
from accessibility.rules import as_text, sections
from accessibility.texts import EASY_LANGUAGE
from centres.models import Centre
from events.queries import json_list_contains
from extensions import db

EASY_LANGUAGE_FALLBACK = "de"  # Leichte Sprache is German; other languages show it marked as German
EASY_LANGUAGE_KEY = "easy-language"


def easy_language_texts() -> dict[str, str]:
    """{lang: text}: as admins edited it, else as shipped (accessibility.texts)."""
    stored = db.session.get(SiteText, EASY_LANGUAGE_KEY)
    if stored is not None and stored.texts:
        return dict(stored.texts)
    return {code: as_text(parts) for code, parts in EASY_LANGUAGE.items()}


@bp.route("/<lang:lang>/easy-language")
def easy_language():
    lang = i18n.current_language()
    texts = easy_language_texts()
    # the page's language, else German (Leichte Sprache is German), else whatever an admin wrote
    text_lang = next(code for code in (lang, EASY_LANGUAGE_FALLBACK, *texts) if texts.get(code))
    return render_template("accessibility/easy_language.html", sections=sections(texts[text_lang]),
                           text_lang=text_lang, text_dir=i18n.language_info(text_lang).direction,
                           can_edit=getattr(current_user, "is_admin", False))


@bp.route("/<lang:lang>/sign-language")
def sign_language():
    """Videos in German Sign Language; until there are any, where to ask for an interpreter."""
    centres = db.session.scalars(select(Centre).where(json_list_contains(Centre.features, "sign_language"))
                                 .order_by(Centre.district, Centre.slug)).all()
    return render_template("accessibility/sign_language.html", centres=centres, videos=SignLanguageVideo.ordered())
