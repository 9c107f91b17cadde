"""The admins' outbox: what is queued, sent and failed (with the SMTP server's answer); retry and cancel."""

from email import message_from_bytes, policy

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from accounts.access import admin_required
from accounts.forms import ConfirmForm
from extensions import db
from outbox import bp
from outbox.models import (
    CANCELLABLE,
    CANCELLED,
    FAILED,
    QUEUED,
    RETRYABLE,
    SENDING,
    SENT,
    STATUSES,
    OutboxMail,
    WorkerBeat,
)
from parsing import ID, parse_id

PAGE = 100
STATUS_LABELS = {QUEUED: _l("Queued"), SENDING: _l("Being sent"), SENT: _l("Sent"), FAILED: _l("Failed"),
                 CANCELLED: _l("Cancelled")}


@bp.route("/<lang:lang>/manage/outbox")
@admin_required
def outbox():
    status = request.args.get("status", "")
    if status and status not in STATUSES:
        status = ""
    try:
        before = parse_id(request.args["before"]) if request.args.get("before") else None
    except ValueError:
        before = None
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(PAGE + 1)
    if status:
        query = query.where(OutboxMail.status == status)
    if before:
        query = query.where(OutboxMail.id < before)
    mails = db.session.scalars(query).all()
    seen = WorkerBeat.last_seen()
    older = mails[PAGE - 1].id if len(mails) > PAGE else None
    return render_template("outbox/index.html", mails=mails[:PAGE], status=status, older=older,
                           counts=OutboxMail.counts(), labels=STATUS_LABELS, form=ConfirmForm(),
                           last_seen=seen, worker_silent=WorkerBeat.silent(seen),
                           mail_server=current_app.config.get("MAIL_SERVER"))


@bp.route(f"/<lang:lang>/manage/outbox/<{ID}:mail_id>")
@admin_required
def show(mail_id):
    """One mail as it was (or will be) sent: its headers, its text and the names of its attachments."""
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None:
        abort(404)
    text, attachments = "", []
    if mail.message is not None:
        message = message_from_bytes(mail.message, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        attachments = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
    return render_template("outbox/show.html", mail=mail, text=text, attachments=attachments, labels=STATUS_LABELS)


def _load(mail_id) -> OutboxMail:
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return mail


def _change(mail_id, from_statuses, **values) -> bool:
    changed = db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id,
                                                          OutboxMail.status.in_(from_statuses)).values(**values))
    db.session.commit()
    return changed.rowcount == 1


def _back():
    return redirect(url_for("outbox.outbox", status=request.args.get("status") or None))


@bp.route(f"/<lang:lang>/manage/outbox/<{ID}:mail_id>/retry", methods=["POST"])
@admin_required
def retry(mail_id):
    mail = _load(mail_id)
    # One conditional UPDATE: a worker may be changing the row meanwhile.
    if mail.message is None or not _change(mail_id, RETRYABLE, **OutboxMail.requeued_values()):
        flash(_("This mail cannot be sent again."), "error")
        return _back()
    flash(_("The mail is queued again; the worker sends it next."), "success")
    return _back()


@bp.route(f"/<lang:lang>/manage/outbox/<{ID}:mail_id>/cancel", methods=["POST"])
@admin_required
def cancel(mail_id):
    _load(mail_id)
    if not _change(mail_id, CANCELLABLE, status=CANCELLED, claimed_until=None):
        flash(_("This mail cannot be cancelled any more."), "error")
        return _back()
    flash(_("The mail is cancelled and will not be sent."), "success")
    return _back()
