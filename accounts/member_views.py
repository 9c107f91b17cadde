"""Pages of an association's members: the list, invitations, roles, leaving; accepting an invitation."""

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

import i18n
from accounts import bp, members
from accounts.forms import ConfirmForm, InviteForm, JoinForm, LeaveForm, MemberRoleForm
from accounts.models import Invitation, User
from accounts.views import load_association, sign_in
from extensions import db
from parsing import ID
from timeutil import utcnow


def _last_admin_message() -> str:
    return _("An association always keeps at least one admin: hand the admin role on to another member first.")


def members_page(association, status=200, **forms):
    user = current_user._get_current_object()
    manage = members.can_manage(user, association)
    forms.setdefault("invite_form", InviteForm(formdata=None))
    forms.setdefault("leave_form", LeaveForm(formdata=None))
    roster = members.roster(association)
    role_forms = {member.id: MemberRoleForm(formdata=None, role="admin" if admin else "member",
                                            prefix=f"m{member.id}") for member, admin in roster}
    return render_template("accounts/members.html", association=association, roster=roster, manage=manage,
                           role_forms=role_forms, invitations=members.open_invitations(association) if manage else [],
                           is_member=user.is_member_of(association), remove_form=ConfirmForm(formdata=None),
                           **forms), status


def _managed(association_id):
    association = load_association(association_id)
    if not members.can_manage(current_user, association):
        abort(403)
    return association


@bp.route(f"/associations/<{ID}:association_id>/members")
@login_required
def members_list(association_id):
    return members_page(load_association(association_id))


@bp.route(f"/associations/<{ID}:association_id>/members/invite", methods=["POST"])
@login_required
def invite_member(association_id):
    association = _managed(association_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return members_page(association, 400, invite_form=form)
    invited = User.by_email(form.email.data)
    if invited is not None and invited.is_member_of(association):
        form.email.errors.append(_("This person is already a member."))
        return members_page(association, 400, invite_form=form)
    members.invite(association, form.email.data, current_user._get_current_object(),
                   (invited.preferred_language if invited else None) or i18n.current_language())
    db.session.commit()
    flash(_("The invitation is sent. It works for %(days)d days.", days=members.INVITATION_DAYS), "success")
    return redirect(url_for("accounts.members_list", association_id=association.id))


@bp.route(f"/associations/<{ID}:association_id>/members/<{ID}:user_id>/role", methods=["POST"])
@login_required
def member_role(association_id, user_id):
    association = _managed(association_id)
    member = db.session.get(User, user_id)
    if member is None or not member.is_member_of(association):
        abort(404)
    form = MemberRoleForm(prefix=f"m{member.id}")
    if not form.validate_on_submit():
        return members_page(association, 400)
    try:
        members.set_admin(association, member, form.role.data == "admin")
    except members.LastAdmin:
        flash(_last_admin_message(), "error")
        return members_page(association, 409)
    db.session.commit()
    flash(_("The role of %(name)s is changed.", name=member.name or member.email), "success")
    return redirect(url_for("accounts.members_list", association_id=association.id))


@bp.route(f"/associations/<{ID}:association_id>/members/<{ID}:user_id>/delete", methods=["POST"])
@login_required
def remove_member(association_id, user_id):
    association = _managed(association_id)
    member = db.session.get(User, user_id)
    if member is None or not member.is_member_of(association):
        abort(404)
    try:
        members.remove(association, member)
    except members.LastAdmin:
        flash(_last_admin_message(), "error")
        return members_page(association, 409)
    db.session.commit()
    flash(_("%(name)s is no longer a member.", name=member.name or member.email), "success")
    if member.id == current_user.id:
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.members_list", association_id=association.id))


@bp.route(f"/associations/<{ID}:association_id>/leave", methods=["POST"])
@login_required
def leave_association(association_id):
    association = load_association(association_id)
    user = current_user._get_current_object()
    if not user.is_member_of(association):
        abort(404)
    form = LeaveForm()
    if not form.validate_on_submit():
        return members_page(association, 400, leave_form=form)
    try:
        members.remove(association, user)
    except members.LastAdmin:
        flash(_last_admin_message(), "error")
        return members_page(association, 409, leave_form=form)
    db.session.commit()
    flash(_("You have left %(name)s.", name=association.name), "success")
    return redirect(url_for("accounts.account"))


@bp.route(f"/associations/<{ID}:association_id>/invitations/<{ID}:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(association_id, invitation_id):
    association = _managed(association_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.association_id != association.id:
        abort(404)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.commit()
    flash(_("The invitation is withdrawn."), "success")
    return redirect(url_for("accounts.members_list", association_id=association.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token):
    """The link of the invitation mail: accepted by signing in (then one click) or by creating an account."""
    found = members.find_invitation(token)
    if found is None:
        return render_template("accounts/link_failed.html", reason="unknown"), 404
    if not found.open(utcnow()):
        return render_template("accounts/link_failed.html", reason="used" if found.accepted_at else "expired"), 410
    if current_user.is_authenticated:
        return _accept_signed_in(found)
    existing = User.by_email(found.email)
    form = JoinForm(user=SimpleNamespace(email=found.email)) if existing is None else None
    if form is not None and form.validate_on_submit():
        user = User(email=found.email, name=form.name.data.strip(), role="member",
                    preferred_language=i18n.current_language())
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:  # the address got an account a moment ago: sign in instead
            db.session.rollback()
            return render_template("accounts/invitation.html", invitation=found, form=None, has_account=True,
                                   accept_form=None), 409
        members.accept(found, user)
        sign_in(user)  # the link came to this address: it is confirmed
        return _joined(found)
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/invitation.html", invitation=found, form=form, has_account=existing is not None,
                           accept_form=None), status


def _accept_signed_in(found):
    user = current_user._get_current_object()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if not user.is_member_of(found.association):
            members.accept(found, user)
        return _joined(found)
    return render_template("accounts/invitation.html", invitation=found, form=None, has_account=True,
                           accept_form=ConfirmForm(formdata=None)), 400 if request.method == "POST" else 200


def _joined(found):
    association = found.association
    db.session.commit()
    flash(_("Welcome to %(name)s! You are now a member.", name=association.name), "success")
    return redirect(url_for("accounts.association", association_id=association.id))
