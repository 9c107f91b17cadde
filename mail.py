"""E-mail: built with email.message and stored in the outbox in the transaction of the change that causes it.

``queue(draft, key)`` builds the finished message (text, HTML, attachments, a fixed Message-ID) and adds it to
the outbox table in the current database session: it commits with the change or rolls back with it, so a
committed change always has its mail and a rolled-back one never does. ``key`` names the notice (what happened,
to whom); a notice queued before is not queued again. No web request opens an SMTP connection: the worker
(``outbox.delivery``) sends the outbox.
"""

from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from extensions import db
from operations.requestlog import request_id
from outbox.models import GIVE_UP_AFTER, OutboxMail
from timeutil import utcnow

QUEUED_KEYS, QUEUED_ROWS = "mail_outbox_keys", "mail_outbox_rows"
MAX_KEY = 200


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
    """The parts of a message, rendered in the recipient's language; ``queue`` builds and stores it."""

    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple = ()
    lang: str | None = None

    def build(self) -> EmailMessage:
        return build_message(self.to, self.subject, self.text, html=self.html, attachments=self.attachments,
                             lang=self.lang)


@dataclass
class Notice:
    """The content of one e-mail, rendered by templates/mail/notice.{txt,html}."""

    lang: str
    direction: str
    subject: str
    greeting: str
    paragraphs: list = field(default_factory=list)
    dates_heading: str = ""
    dates: list = field(default_factory=list)
    more: str = ""
    reason_heading: str = ""
    reason: str = ""
    facts: list = field(default_factory=list)  # [(label, value)]
    link: str | None = None
    link_label: str = ""



def queue_notice(to, name, notice, key, attachments=()) -> None:
    """A Notice rendered by templates/mail/notice.{txt,html}, queued for ``to`` under ``key``."""
    text = render_template("mail/notice.txt", notice=notice)
    html = render_template("mail/notice.html", notice=notice)
    queue(Draft(address(name, to), notice.subject, text, html, tuple(attachments), notice.lang), key)


def address(name, email) -> str:
    """'Name <email>' (the name encoded as needed); the bare address when it cannot be written so."""
    try:
        return str(Address(display_name=name or "", addr_spec=email))
    except (ValueError, IndexError):  # e.g. a non-ASCII local part (SMTPUTF8)
        return email


def _bare(header) -> str:
    addresses = getattr(header, "addresses", ())
    return addresses[0].addr_spec if addresses else str(header or "")


def queue(message, key: str, session=None) -> OutboxMail | None:
    """Store the message in the outbox of ``session`` (default: the app's); None when ``key`` was queued before."""
    session = session or db.session()
    key = key[:MAX_KEY]
    keys = session.info.setdefault(QUEUED_KEYS, set())
    if key in keys or session.scalar(select(OutboxMail.id).where(OutboxMail.notice_key == key)) is not None:
        return None
    built = message.build() if isinstance(message, Draft) else message
    sender, recipient = _bare(built["From"]), _bare(built["To"])
    # As smtplib's send_message: encoded words, unless an address needs SMTPUTF8 (then UTF-8 throughout).
    wire = policy.SMTP if (sender + recipient).isascii() else policy.SMTPUTF8
    row = OutboxMail(
        notice_key=key, sender=sender, recipient=recipient, subject=str(built["Subject"])[:300],
        lang=getattr(message, "lang", None) or built.get("Content-Language"), message_id=str(built["Message-ID"]),
        message=built.as_bytes(policy=wire), give_up_at=utcnow() + GIVE_UP_AFTER, request_id=request_id(),
    )
    session.add(row)
    keys.add(key)
    session.info.setdefault(QUEUED_ROWS, []).append(row)
    return row


def discard_queued(session=None) -> None:
    """Take back what this transaction queued (the demo's invented people are told nothing)."""
    session = session or db.session()
    for row in session.info.pop(QUEUED_ROWS, []):
        if row in session.new:
            session.expunge(row)
        elif row in session:  # already flushed into this transaction
            session.delete(row)
    session.info.pop(QUEUED_KEYS, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_keys(session, *args):
    session.info.pop(QUEUED_KEYS, None)
    session.info.pop(QUEUED_ROWS, None)
