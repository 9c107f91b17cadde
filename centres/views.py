"""Public pages: home, the directory of centres, one centre."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import i18n
from centres import bp
from centres.models import Centre
from centres.vocabulary import EQUIPMENT, WEEKDAYS, WELCOME_FEATURES
from extensions import db
from pagecache import public_page
from timeutil import utcnow


@bp.route("/")
def root():
    return redirect(url_for("centres.home", lang=i18n.best_language()))


@bp.route("/<lang:lang>/")
@public_page
def home():
    centres = db.session.scalars(select(Centre).order_by(Centre.district, Centre.slug)).all()
    return render_template("centres/home.html", centres=centres, feature_labels=WELCOME_FEATURES)


def centre_filters():
    """The directory's filters from the query string; unknown values are ignored."""
    district = request.args.get("district", "").strip()[:100]
    feature = request.args.get("feature", "")
    language = request.args.get("language", "")
    return {
        "district": district,
        "feature": feature if feature in WELCOME_FEATURES else "",
        "language": language if language in i18n.supported_languages() else "",
    }


def filter_centres(centres, filters):
    result = []
    for centre in centres:
        if filters["district"] and centre.district != filters["district"]:
            continue
        if filters["feature"] and filters["feature"] not in (centre.features or []):
            continue
        if filters["language"] and filters["language"] not in (centre.staff_languages or []):
            continue
        result.append(centre)
    return result


@bp.route("/<lang:lang>/centres/")
@public_page
def directory():
    centres = db.session.scalars(
        select(Centre).options(selectinload(Centre.rooms)).order_by(Centre.district, Centre.slug)
    ).all()
    filters = centre_filters()
    districts = sorted({c.district for c in centres if c.district})
    return render_template(
        "centres/directory.html",
        centres=filter_centres(centres, filters),
        filters=filters,
        districts=districts,
        feature_labels=WELCOME_FEATURES,
    )


@bp.route("/<lang:lang>/centres/<slug>/")
@public_page
def centre(slug):
    centre = db.session.scalar(
        select(Centre).where(Centre.slug == slug).options(selectinload(Centre.rooms), selectinload(Centre.closures))
    )
    if centre is None:
        abort(404)
    today = utcnow().date()
    closures = [c for c in centre.closures if c.ends_on >= today]
    return render_template(
        "centres/centre.html",
        centre=centre,
        rooms=centre.rooms,
        closures=closures,
        weekdays=WEEKDAYS,
        feature_labels=WELCOME_FEATURES,
        equipment_labels=EQUIPMENT,
        can_manage=centre.can_manage(current_user),
    )


