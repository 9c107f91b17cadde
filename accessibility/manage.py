"""Admins upload and remove sign-language videos; the app serves the files itself (no third party)."""

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accessibility import bp
from accessibility.forms import EasyLanguageForm, SignLanguageVideoForm
from accessibility.models import SignLanguageVideo, SiteText
from accessibility.views import EASY_LANGUAGE_KEY, easy_language_texts
from accounts.access import admin_required
from extensions import db
from parsing import ID

MAX_VIDEO_BYTES = 300 * 1024 * 1024


def media_folder() -> Path:
    folder = Path(current_app.config.get("MEDIA_FOLDER") or Path(current_app.instance_path) / "media") / "sign-language"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/<lang:lang>/manage/sign-language", methods=["GET", "POST"])
@admin_required
def manage_videos():
    request.max_content_length = MAX_VIDEO_BYTES  # videos are larger than any other upload
    form = SignLanguageVideoForm()
    if form.validate_on_submit():
        video = SignLanguageVideo(title=form.title.data, mime_type=form.video_type, captions=form.captions_text,
                                  transcript=form.transcript.data or {}, created_by_id=current_user.id)
        db.session.add(video)
        db.session.flush()
        form.video.data.save(media_folder() / video.filename)
        db.session.commit()
        flash(_("The video is online."), "success")
        return redirect(url_for("accessibility.manage_videos"))
    return render_template("accessibility/manage.html", form=form, videos=SignLanguageVideo.ordered()), \
        400 if form.errors else 200


@bp.route(f"/<lang:lang>/manage/sign-language/<{ID}:video_id>/delete", methods=["POST"])
@admin_required
def delete_video(video_id):
    video = db.session.get(SignLanguageVideo, video_id) or abort(404)
    path = media_folder() / video.filename
    db.session.delete(video)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("The video is removed."), "success")
    return redirect(url_for("accessibility.manage_videos"))


@bp.route(f"/media/sign-language/<{ID}:video_id>.<any(webm, mp4):extension>")
def video_file(video_id, extension):
    video = db.session.get(SignLanguageVideo, video_id)
    if video is None or video.extension != extension:
        abort(404)
    # conditional: Range requests, so that players can seek
    return send_file(media_folder() / video.filename, mimetype=video.mime_type, conditional=True, max_age=3600)


@bp.route(f"/media/sign-language/<{ID}:video_id>.vtt")
def captions_file(video_id):
    video = db.session.get(SignLanguageVideo, video_id) or abort(404)
    response = current_app.response_class(video.captions, mimetype="text/vtt")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/<lang:lang>/manage/easy-language", methods=["GET", "POST"])
@admin_required
def manage_easy_language():
    form = EasyLanguageForm(data={"text": easy_language_texts()} if request.method == "GET" else None)
    if form.validate_on_submit():
        stored = db.session.get(SiteText, EASY_LANGUAGE_KEY) or SiteText(key=EASY_LANGUAGE_KEY)
        stored.texts, stored.updated_by_id = dict(form.text.data), current_user.id
        db.session.add(stored)
        db.session.commit()
        flash(_("The text is saved."), "success")
        return redirect(url_for("accessibility.easy_language"))
    return render_template("accessibility/manage_text.html", form=form), 400 if form.errors else 200
