"""Programmes in the API: ``GET /programmes`` and ``GET /programmes/<slug>`` (public, texts in ``lang``)."""

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import i18n
from api import bp
from api.errors import api_error
from api.openapi import describe
from api.views import requested_language
from extensions import db
from programmes.models import KINDS, Programme, ProgrammePartner


def programme_json(programme, lang) -> dict:
    answer = {
        "slug": programme.slug,
        "name": i18n.pick_text(programme.name, lang, programme.default_language)[0] or programme.slug,
        "summary": i18n.pick_text(programme.summary, lang, programme.default_language)[0],
        "description": i18n.pick_text(programme.description, lang, programme.default_language)[0],
        "funding_notice": i18n.pick_text(programme.funding_notice, lang, programme.default_language)[0] or None,
        "kind": programme.kind,
        "partners": [{"id": link.association.id, "name": link.association.name, "role": link.role}
                     for link in programme.accepted_partners()],
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
    return select(Programme).options(selectinload(Programme.partners).selectinload(ProgrammePartner.association),
                                     selectinload(Programme.centres)).order_by(Programme.slug)


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


_PROGRAMME = {"type": "object", "properties": {
    "slug": {"type": "string"}, "name": {"type": "string"}, "summary": {"type": "string"},
    "description": {"type": "string"}, "funding_notice": {"type": ["string", "null"]},
    "kind": {"type": "string", "enum": list(KINDS)}, "start": {"type": "string", "format": "date"},
    "end": {"type": "string", "format": "date"}, "hashtag": {"type": "string"},
    "partners": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "role": {"type": "string"}}}},
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
