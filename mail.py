"""E-mail: built with email.message, sent through SMTP after the database commit.

``queue(draft)`` puts a message (a ``Draft``, or a finished EmailMessage) in
the outbox of the current database session; it is built and sent once that
session commits and dropped if it rolls back, so nobody is told about a
change that did not happen, and the transaction (with its locks) is not held
while messages are assembled. Without MAIL_SERVER the message is written to
``app.logger`` instead.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from extensions import db

OUTBOX = "mail_outbox"


def build_message(to, subject, text, *, html=None, attachments=(), lang=None, sender=None) -> EmailMessage:
    """A message with a text body, an optional HTML alternative and attachments.

    ``attachments``: (filename, bytes, "maintype/subtype", params) tuples.
    """
    message = EmailMessage()
    message["From"] = sender or current_app.config.get("MAIL_DEFAULT_SENDER") or "welcome-spaces@localhost"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = (message["From"].addresses[0].domain or "localhost") if message["From"].addresses else "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, content, mime_type, params in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename, params=params or {})
    if lang:  # last: set_content and add_* move Content-* headers into the parts
        message["Content-Language"] = lang
    return message


@dataclass
class Draft:
    """The parts of a message, rendered before the commit; assembled by ``build_message`` after it."""

    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple = ()
    lang: str | None = None

    def build(self) -> EmailMessage:
        return build_message(self.to, self.subject, self.text, html=self.html, attachments=self.attachments,
                             lang=self.lang)


def address(name, email) -> str:
    """'Name <email>' (the name encoded as needed); the bare address when it cannot be written so."""
    try:
        return str(Address(display_name=name or "", addr_spec=email))
    except (ValueError, IndexError):  # e.g. a non-ASCII local part (SMTPUTF8)
        return email


def queue(message, session=None) -> None:
    """Send after the session commits (dropped on rollback)."""
    session = session or db.session()
    session.info.setdefault(OUTBOX, []).append(message)


def send(message: EmailMessage) -> bool:
    """Send now (SMTP, or the log without MAIL_SERVER). Never raises: a mail failure must not undo a booking."""
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        # A warning: shown by the default logging of `flask run` and gunicorn (an info line would not be).
        if current_app.logger.isEnabledFor(logging.WARNING):
            text = message.as_bytes(policy=policy.SMTPUTF8).decode("utf-8", "replace")
            current_app.logger.warning("E-mail (no MAIL_SERVER configured):\n%s", text)
        return True
    port = int(config.get("MAIL_PORT") or 25)
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(server, port, timeout=30, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=30)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
        return True
    except (OSError, smtplib.SMTPException, UnicodeError, ValueError):
        current_app.logger.exception("Could not send the e-mail %r to %s", message["Subject"], message["To"])
        return False


@event.listens_for(Session, "after_commit")
def _send_outbox(session):
    outbox = session.info.pop(OUTBOX, None)
    if not outbox or not has_app_context():
        return
    for message in outbox:
        try:
            send(message.build() if isinstance(message, Draft) else message)
        except Exception:  # a mail that cannot be built must not look like a failed booking
            current_app.logger.exception("Could not build the e-mail to %s", getattr(message, "to", "?"))


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session):
    session.info.pop(OUTBOX, None)
