"""A programme's picture and its partners' logos: coordinators upload them on the manage page; the app serves
them itself, at an address that changes with the bytes (cached for a year).

Load (404) -> check (403) -> validate -> read the image -> commit -> flash -> redirect; a refused upload shows
the manage page again with the reason (400) and changes nothing.
"""

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from extensions import db
from parsing import ID
from programmes import images
from programmes.forms import ImageForm, LogoForm
from programmes.images import ImageError, ProgrammeImage
from programmes.models import ACCEPTED, ProgrammePartner
from programmes.views import load, render_manage

bp = Blueprint("programme_images", __name__)
YEAR = 365 * 24 * 3600


def _coordinated(slug):
    programme = load(slug)
    if not programme.can_coordinate(current_user):
        abort(403)
    return programme


def _new_image(field):
    """The uploaded image (None when no file was sent); raises ImageError."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return images.read(upload)


def _apply_image(programme, form) -> None:
    """Remove the image, or set a new one and its text (an image always has a text); raises ImageError."""
    if form.remove.data:
        programme.image, programme.image_alt = images.replace(programme.image, None), {}
        return
    alt = dict(form.alt.data or {})
    new = _new_image(form.image)
    if new is None and programme.image is None:
        raise ImageError(_("Please choose an image file."))
    if not alt:
        raise ImageError(_("Please say in at least one language what the image shows."))
    if new is not None:
        programme.image = images.replace(programme.image, new)
    programme.image_alt = alt


@bp.route("/<lang:lang>/programmes/<slug>/image", methods=["POST"])
@login_required
def programme_image(slug):
    programme = _coordinated(slug)
    form = ImageForm()
    if form.validate_on_submit():
        try:
            _apply_image(programme, form)
        except ImageError as error:
            form.image.errors = [*form.image.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The image is removed.") if form.remove.data else _("The image is saved."), "success")
            return redirect(url_for("programmes.manage", slug=programme.slug))
    return render_manage(programme, image_form=form)


@bp.route(f"/<lang:lang>/programmes/<slug>/partners/<{ID}:link_id>/logo", methods=["POST"])
@login_required
def partner_logo(slug, link_id):
    programme = _coordinated(slug)
    link = db.session.get(ProgrammePartner, link_id)
    if link is None or link.programme_id != programme.id or link.status != ACCEPTED:
        abort(404)
    form = LogoForm(prefix=f"partner{link.id}")
    if form.validate_on_submit():
        try:
            new = None if form.remove.data else _new_image(form.logo)
        except ImageError as error:
            form.logo.errors = [*form.logo.errors, str(error)]
        else:
            if form.remove.data:
                link.logo, link.logo_alt = images.replace(link.logo, None), {}
            else:
                if new is not None:
                    link.logo = images.replace(link.logo, new)
                link.logo_alt = dict(form.alt.data or {})
            db.session.commit()
            flash(_("The logo is removed.") if form.remove.data else _("The logo is saved."), "success")
            return redirect(url_for("programmes.manage", slug=programme.slug))
    return render_manage(programme, logo_form=form, logo_link=link)


@bp.route(f"/media/programmes/<{ID}:image_id>-<digest>.<any(png, jpg):extension>")
def image(image_id, digest, extension):
    picture = db.session.get(ProgrammeImage, image_id)
    if picture is None or picture.digest != digest or picture.extension != extension:
        abort(404)
    response = make_response(picture.data)
    response.headers["Content-Type"] = picture.content_type
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.set_etag(picture.digest)
    return response.make_conditional(request)
