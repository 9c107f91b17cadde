"""E-mails about accounts, in the recipient's language: confirm a new address; someone registered with yours."""

import secrets

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

import mail
from i18n import language_info
from mail import Notice


def greeted(lang, subject, name) -> Notice:
    """A notice in ``lang`` that greets the recipient by name (or plainly)."""
    greeting = _("Hello %(name)s,", name=name) if name else _("Hello,")
    return Notice(lang, language_info(lang).direction, subject, greeting)


def confirm_address(user, token, lang) -> None:
    """To a new account: the link that confirms the address and signs in."""
    with force_locale(lang):
        notice = greeted(lang, _("Please confirm your e-mail address"), user.name)
        notice.paragraphs.append(_("Thank you for registering your association. Please confirm your e-mail "
                                   "address with the link below; it signs you in. The link works for 3 days."))
        notice.link = url_for("accounts.confirm_email", lang=lang, token=token, _external=True)
        notice.link_label = _("Confirm my e-mail address")
        mail.queue_notice(user.email, user.name, notice, f"confirm:{user.id}:{secrets.token_hex(8)}")


def already_registered(user, lang) -> None:
    """To the owner of an address someone registered with again: no account is made, nothing is told there."""
    with force_locale(lang):
        notice = greeted(lang, _("Someone registered with your e-mail address"), user.name)
        notice.paragraphs.append(_("Someone — perhaps you — tried to register an association with this e-mail "
                                   "address. You already have an account, so nothing was changed."))
        notice.paragraphs.append(_("To register another association, sign in and choose “Register your "
                                   "association”. If it was not you, you can ignore this message."))
        notice.link = url_for("accounts.login", lang=lang, _external=True)
        notice.link_label = _("Sign in")
        mail.queue_notice(user.email, user.name, notice, f"registered-again:{user.id}:{secrets.token_hex(8)}")
