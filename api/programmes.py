"""Programmes in the API: ``GET /programmes`` and ``GET /programmes/<slug>`` (public, texts in ``lang``)."""

from flask import jsonify, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import i18n
from api import bp
from api.errors import api_error
from api.openapi import describe
from api.views import requested_language
from extensions import db
from programmes.models import KINDS, Programme, ProgrammePartner


def image_json(image, alt: str) -> dict | None:
    if image is None:
        return None
    return {"url": url_for("programme_images.image", image_id=image.id, digest=image.digest,
                           extension=image.extension, _external=True),
            "alt": alt, "width": image.width, "height": image.height}


def _logo(link, lang) -> dict | None:
    alt = i18n.pick_text(link.logo_alt, lang, link.programme.default_language)[0] or link.association.name
    return image_json(link.logo, alt)


def programme_json(programme, lang) -> dict:
    answer = {
        "slug": programme.slug,
        "name": i18n.pick_text(programme.name, lang, programme.default_language)[0] or programme.slug,
        "summary": i18n.pick_text(programme.summary, lang, programme.default_language)[0],
        "description": i18n.pick_text(programme.description, lang, programme.default_language)[0],
        "funding_notice": i18n.pick_text(programme.funding_notice, lang, programme.default_language)[0] or None,
        "kind": programme.kind,
        "partners": [{"id": link.association.id, "name": link.association.name, "role": link.role,
                      "logo": _logo(link, lang)} for link in programme.accepted_partners()],
        "image": image_json(programme.image,
                            i18n.pick_text(programme.image_alt, lang, programme.default_language)[0]),
        "centres": [centre.slug for centre in programme.centres],
    }
    if programme.starts_on:
        answer["start"] = programme.starts_on.isoformat()
    if programme.ends_on:
        answer["end"] = programme.ends_on.isoformat()
    if programme.hashtag:
        answer["hashtag"] = programme.hashtag
    return answer


def _query():
    return select(Programme).options(
        selectinload(Programme.partners).selectinload(ProgrammePartner.association),
        selectinload(Programme.partners).selectinload(ProgrammePartner.logo),
        selectinload(Programme.centres), selectinload(Programme.image)).order_by(Programme.slug)


@bp.get("/programmes")
def programmes():
    lang = requested_language()
    return jsonify({"items": [programme_json(p, lang) for p in db.session.scalars(_query())]})


@bp.get("/programmes/<slug>")
def programme(slug):
    found = db.session.scalar(_query().where(Programme.slug == slug))
    if found is None:
        return api_error(404)
    return jsonify(programme_json(found, requested_language()))


_IMAGE = {"type": ["object", "null"], "description": "Served by the app; `alt` says what it shows, in `lang`.",
          "properties": {"url": {"type": "string", "format": "uri"}, "alt": {"type": "string"},
                         "width": {"type": "integer"}, "height": {"type": "integer"}}}
_PROGRAMME = {"type": "object", "properties": {
    "slug": {"type": "string"}, "name": {"type": "string"}, "summary": {"type": "string"},
    "description": {"type": "string"}, "funding_notice": {"type": ["string", "null"]},
    "kind": {"type": "string", "enum": list(KINDS)}, "start": {"type": "string", "format": "date"},
    "end": {"type": "string", "format": "date"}, "hashtag": {"type": "string"},
    "partners": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "role": {"type": "string"}, "logo": _IMAGE}}},
    "image": _IMAGE,
    "centres": {"type": "array", "items": {"type": "string"}}}}
_LANG = {"name": "lang", "in": "query", "schema": {"type": "string"}}

describe(paths={
    "/programmes": {"get": {"summary": "The programmes (public)", "parameters": [_LANG], "responses": {"200": {
        "description": "The programmes.", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Programme"}}}}}}}}}},
    "/programmes/{slug}": {"get": {"summary": "A programme (public): partners (accepted), centres",
                                   "parameters": [{"name": "slug", "in": "path", "required": True,
                                                   "schema": {"type": "string"}}, _LANG],
                                   "responses": {"200": {"description": "The programme.", "content": {
                                       "application/json": {"schema": {"$ref": "#/components/schemas/Programme"}}}},
                                       "404": {"description": "No such programme."}}}},
}, schemas={"Programme": _PROGRAMME})
