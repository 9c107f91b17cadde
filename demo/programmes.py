"""The demo city's programmes: an alliance for integration with most associations as partners, a partnership
for democracy with its funding notice and its democracy-and-participation events, an international children's
festival, and a campaign with a hashtag; the partners' events marked as part of them."""

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from accounts.models import Association, User
from centres.models import Centre
from events.models import Event
from extensions import db
from programmes import images
from programmes.cooperations import Cooperation
from programmes.models import ACCEPTED, Programme, ProgrammePartner
from timeutil import utcnow

PROGRAMMES = [
    ("buendnis-integration", "alliance", {
        "de": "Bündnis für Integration", "en": "Alliance for integration", "tr": "Uyum İttifakı",
        "ar": "تحالف من أجل الاندماج", "uk": "Альянс за інтеграцію"}, {
        "de": "Vereine, Initiativen und Stadtteilzentren gestalten das Zusammenleben gemeinsam.",
        "en": "Associations, initiatives and district centres shape living together.",
        "ar": "الجمعيات والمبادرات ومراكز الأحياء تصنع العيش المشترك معًا."}, "", {}),
    ("demokratie-leben", "democracy", {
        "de": "Partnerschaft für Demokratie", "en": "Partnership for democracy", "tr": "Demokrasi Ortaklığı",
        "ar": "شراكة من أجل الديمقراطية"}, {
        "de": "Lokale Partnerschaft im Bundesprogramm „Demokratie leben!“.",
        "en": "The local partnership in the federal programme “Demokratie leben!”."}, "#DemokratieLeben", {
        "de": "Gefördert vom Bundesministerium für Bildung, Familie, Senioren, Frauen und Jugend im Rahmen des "
              "Bundesprogramms „Demokratie leben!“.",
        "en": "Funded by the Federal Ministry for Education, Family Affairs, Senior Citizens, Women and Youth "
              "within the federal programme “Demokratie leben!”."}),
    ("kinderfest", "festival", {
        "de": "Internationales Kinderfest", "en": "International children's festival", "tr": "Uluslararası Çocuk Şenliği",
        "ar": "مهرجان الأطفال الدولي", "uk": "Міжнародне дитяче свято"}, {
        "de": "Ein Wochenende mit Spiel, Musik und Essen aus aller Welt.",
        "en": "A weekend of games, music and food from all over the world."}, "#Kinderfest", {}),
    ("wir-sind-nachbarn", "campaign", {
        "de": "Kampagne: Wir sind Nachbarn", "en": "Campaign: We are neighbours", "ar": "حملة: نحن جيران"}, {
        "de": "Plakate und Begegnungen in allen Stadtteilen.", "en": "Posters and encounters in every district."},
        "#WirSindNachbarn", {}),
]
CO_ORGANISED = 12
COLOURS = [(0, 94, 184), (221, 110, 15), (26, 127, 55), (180, 35, 95), (111, 66, 193)]
IMAGE_ALT = {"de": "Bunte, einander überlappende Kreise: viele Organisationen, ein Bündnis.",
             "en": "Colourful overlapping circles: many associations, one alliance.",
             "ar": "دوائر ملوّنة متداخلة: جمعيات كثيرة وتحالف واحد."}
LOGOS = 4  # the alliance's first partners have a (drawn) logo
CATEGORY_PROGRAMME = {"democracy": "demokratie-leben", "festival": "kinderfest", "children_family": "kinderfest",
                      "encounter": "wir-sind-nachbarn"}


def load_programmes() -> int:
    """Add the programmes once; returns how many were added."""
    if db.session.scalar(select(Programme.id).limit(1)) is not None:
        return 0
    today = utcnow().date()
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    centres = db.session.scalars(select(Centre).order_by(Centre.slug)).all()
    associations = db.session.scalars(select(Association).where(Association.verified.is_(True))
                                      .order_by(Association.id)).all()
    made = {}
    for slug, kind, name, summary, hashtag, funding in PROGRAMMES:
        programme = Programme(slug=slug, kind=kind, name=name, summary=summary, description=summary,
                              hashtag=hashtag, funding_notice=funding, default_language="de")
        if kind in ("festival", "campaign"):
            programme.starts_on, programme.ends_on = today + timedelta(days=20), today + timedelta(days=120)
        programme.centres = list(centres) if kind != "festival" else list(centres[:2])
        programme.coordinators = [admin] if admin else []
        partners = associations if kind == "alliance" else associations[: 3 + len(made)]
        for position, association in enumerate(partners):
            programme.partners.append(ProgrammePartner(association=association, status=ACCEPTED, position=position,
                                                       role="lead" if position == 0 else "partner"))
        db.session.add(programme)
        made[slug] = programme
    db.session.flush()
    _draw_images(made["buendnis-integration"])
    co_organised = 0
    for event in db.session.scalars(select(Event).order_by(Event.id)):
        association = event.booking.association if event.booking is not None else None
        if association is not None and co_organised < CO_ORGANISED and (
                event.category_key in ("festival", "children_family", "sport", "encounter")):
            # a migrant organisation with a club, a club with an initiative: associations of another kind
            other = next((a for a in associations if a.kind != association.kind and a.id != association.id), None)
            if other is not None:
                event.booking.cooperations.append(Cooperation(association=other, status=ACCEPTED,
                                                              answered_at=utcnow()))
                co_organised += 1
        wanted = {"buendnis-integration"} if association is not None else set()
        if event.category_key in CATEGORY_PROGRAMME:
            wanted.add(CATEGORY_PROGRAMME[event.category_key])
        event.programmes = [made[slug] for slug in sorted(wanted)
                            if association is None or made[slug].is_partner(association)]
    db.session.commit()
    return len(made)


def _drawn(size: tuple[int, int], shift: int) -> FileStorage:
    """A picture drawn here (the demo downloads nothing): overlapping circles, as an upload."""
    picture = Image.new("RGB", size, (250, 247, 240))
    draw = ImageDraw.Draw(picture)
    radius = size[1] // 3
    for n, colour in enumerate(COLOURS[shift:] + COLOURS[:shift]):
        x = size[0] // 2 + (n - 2) * radius * 2 // 3
        draw.ellipse((x - radius, size[1] // 2 - radius, x + radius, size[1] // 2 + radius), outline=colour, width=12)
    out = io.BytesIO()
    picture.save(out, "PNG")
    out.seek(0)
    return FileStorage(stream=out, filename="drawn.png")


def _draw_images(alliance) -> None:
    """The alliance's picture and its first partners' logos, through the coordinators' upload path."""
    alliance.image, alliance.image_alt = images.replace(None, images.read(_drawn((1200, 400), 0))), IMAGE_ALT
    for n, link in enumerate(alliance.partners[:LOGOS]):
        link.logo = images.replace(None, images.read(_drawn((240, 240), n + 1)))
