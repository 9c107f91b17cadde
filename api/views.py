from flask import g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import i18n
from api import bp
from api.auth import token_required
from api.errors import api_error
from api.serializers import centre_json
from centres.models import Centre
from extensions import db
from pagecache import public_page


def requested_language():
    lang = request.args.get("lang", "")
    return lang if lang in i18n.supported_languages() else i18n.FALLBACK_LANGUAGE


@bp.after_request
def cors(response):
    """Public reads may be used by partner websites."""
    if request.method in {"GET", "HEAD", "OPTIONS"} and "Authorization" not in request.headers:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/centres")
@public_page
def centres():
    lang = requested_language()
    items = db.session.scalars(select(Centre).order_by(Centre.slug)).all()
    return jsonify({"items": [centre_json(c, lang) for c in items]})


@bp.get("/centres/<slug>")
@public_page
def centre(slug):
    lang = requested_language()
    centre = db.session.scalar(select(Centre).where(Centre.slug == slug).options(selectinload(Centre.rooms)))
    if centre is None:
        return api_error(404)
    return jsonify(centre_json(centre, lang, with_rooms=True))


@bp.get("/me")
@token_required
def me():
    """Who the bearer token belongs to: lets integrators check their token."""
    user = g.api_user
    return jsonify(
        {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "associations": [{"id": a.id, "name": a.name, "verified": a.verified} for a in user.associations],
            "centres": [c.slug for c in user.managed_centres if user.manages(c)],
        }
    )
