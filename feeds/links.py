"""Where a feed can be subscribed: webcal://, https, Google Calendar, Outlook, and the QR code.

The subscribe box (templates/feeds/_subscribe.html) and the poster get a
``FeedLinks``; the pages that show events call the template globals below
(``events_feed_links(filters)``, ``centre_feed_links(centre)``,
``private_feed_links()``) from a one-line include.

The QR code holds the webcal:// address: scanned with an iPhone it offers to
subscribe at once, and Android calendar apps that subscribe to feeds
(ICSx⁵, DAVx⁵, Etar) take webcal:// too. Google Calendar on Android cannot
subscribe by itself; the poster prints a second code with the
"add to Google Calendar" link for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import segno
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

import i18n
from feeds import bp
from feeds.forms import FeedTokenForm, RevokeFeedForm
from feeds.models import FeedToken


@lru_cache(maxsize=256)
def qr_svg(data: str, label: str, scale: int = 4) -> Markup:
    """An inline SVG QR code (error correction M, white background) with an accessible name."""
    code = segno.make(data, error="m", micro=False)
    size = code.symbol_size(scale=scale)[0]
    svg = code.svg_inline(scale=scale, omitsize=True, svgclass="qr-code", light="#fff", border=4)
    opening = Markup('<svg role="img" aria-label="{label}" width="{size}" height="{size}" ').format(
        label=label, size=size)
    return Markup(svg.replace("<svg ", str(opening), 1))


@dataclass
class FeedLinks:
    https: str
    name: str
    key: str  # makes element ids unique on a page with several boxes
    poster_url: str | None = None
    private: bool = False

    @property
    def webcal(self) -> str:
        return "webcal://" + self.https.split("://", 1)[1]

    @property
    def google(self) -> str:
        return "https://calendar.google.com/calendar/render?cid=" + quote(self.webcal, safe=":/")

    @property
    def outlook(self) -> str:
        return ("https://outlook.live.com/calendar/0/addfromweb?url=" + quote(self.https, safe=":/")
                + "&name=" + quote(self.name, safe=""))

    def qr(self, scale: int = 4) -> Markup:
        return qr_svg(self.webcal, _("QR code of the calendar address"), scale)

    def google_qr(self, scale: int = 4) -> Markup:
        return qr_svg(self.google, _("QR code for Google Calendar"), scale)


def site_name() -> str:
    return current_app.config.get("SITE_NAME", "Welcome Spaces")


@bp.app_template_global()
def events_feed_links(filters=None) -> FeedLinks:
    """The city-wide feed with the calendar's filters (not its date range: a subscription runs on)."""
    args = filters.to_args(start=None, end=None) if filters is not None else {}
    url = url_for("feeds.events_feed", _external=True, **args)
    return FeedLinks(url, _("%(site)s: events", site=site_name()), "events")


@bp.app_template_global()
def centre_feed_links(centre) -> FeedLinks:
    url = url_for("feeds.centre_feed", slug=centre.slug, _external=True)
    name = _("Events at %(centre)s", centre=centre.display_name(i18n.current_language()))
    return FeedLinks(url, name, f"centre-{centre.id}", url_for("feeds.poster", slug=centre.slug))


def centre_links(centre) -> FeedLinks:
    return centre_feed_links(centre)


@dataclass
class PrivateFeed:
    token: FeedToken
    links: FeedLinks | None  # None when the address can no longer be shown (the secret key changed)

    @property
    def label(self) -> str:
        if self.token.association is not None:
            return self.token.association.name
        return _("Bookings in my centres")


@bp.app_template_global()
def private_feed_links() -> list[PrivateFeed]:
    """The signed-in user's private feed addresses, each with its links."""
    if not current_user.is_authenticated:
        return []
    feeds = []
    for token in FeedToken.active_for(current_user):
        secret = token.secret
        links = None
        if secret is not None:
            url = url_for("feeds.private", token=secret, _external=True)
            name = _("Bookings of %(association)s", association=token.association.name) if token.association \
                else _("Bookings in my centres")
            links = FeedLinks(url, name, f"private-{token.id}", private=True)
        feeds.append(PrivateFeed(token, links))
    return feeds


@bp.app_template_global()
def feed_token_form(back: str = "account"):
    form = FeedTokenForm(formdata=None, user=current_user)
    form.back.data = back
    return form if form.feed.choices else None


@bp.app_template_global()
def revoke_feed_form():
    return RevokeFeedForm(formdata=None)

