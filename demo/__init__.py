"""A realistic demo city. For local use and screenshots; never for production."""

import unicodedata
from datetime import date, time, timedelta

from sqlalchemy import select

from accounts import members
from accounts.models import Association, User
from centres.models import Centre, Closure, Room
from demo.history import load_history
from demo.programmes import load_programmes
from demo.season import load_season
from demo.waiting import load_waiting
from extensions import db
from terms.models import HouseRules
from timeutil import utcnow

DEMO_PASSWORD = "welcome-demo"

HOURS_WEEK = {str(d): [["09:00", "21:00"]] for d in range(5)}
HOURS_WEEK["5"] = [["10:00", "18:00"]]

CENTRES = [
    {
        "slug": "nordstadt",
        "name": {"de": "Stadtteilzentrum Nordstadt", "en": "Nordstadt District Centre", "tr": "Nordstadt Mahalle Merkezi", "ar": "مركز حي نوردشتات", "uk": "Районний центр Нордштадт"},
        "description": {
            "de": "Offenes Haus mit Café, Beratung und Räumen für Vereine. Alle sind willkommen.",
            "en": "An open house with a café, counselling and rooms for associations. Everyone is welcome.",
            "tr": "Kafesi, danışmanlığı ve dernekler için odalarıyla açık bir ev. Herkes hoş gelir.",
            "ar": "بيت مفتوح فيه مقهى واستشارات وغرف للجمعيات. الجميع مرحب بهم.",
            "uk": "Відкритий дім з кавʼярнею, консультаціями та приміщеннями для обʼєднань. Ласкаво просимо всіх.",
        },
        "district": "Nordstadt", "street": "Lindenstraße 12", "postcode": "30161", "city": "Hannover",
        "lat": 52.3868, "lon": 9.7326,
        "features": ["barrier_free", "wifi", "cafe", "counselling", "child_friendly", "accessible_toilet", "sign_language"],
        "staff": ["de", "en", "tr", "ar"],
        "rooms": [
            ("Großer Saal", 120, ["projector", "screen", "sound_system", "stage", "wifi"], True),
            ("Seminarraum 1", 25, ["projector", "whiteboard", "wifi"], True),
            ("Seminarraum 2", 18, ["whiteboard", "wifi"], True),
            ("Küche", 12, ["kitchen"], True),
        ],
    },
    {
        "slug": "suedstadt",
        "name": {"de": "Begegnungshaus Südstadt", "en": "Südstadt Meeting House", "tr": "Südstadt Buluşma Evi", "ar": "بيت اللقاء في زودشتات"},
        "description": {
            "de": "Nachbarschaftshaus mit Familienzentrum und Garten.",
            "en": "A neighbourhood house with a family centre and a garden.",
            "ar": "بيت للجيران فيه مركز للعائلات وحديقة.",
        },
        "district": "Südstadt", "street": "Am Bahndamm 3", "postcode": "30171", "city": "Hannover",
        "lat": 52.3623, "lon": 9.7562,
        "features": ["child_friendly", "baby_changing", "wifi", "cafe"],
        "staff": ["de", "ar", "fa", "en"],
        "rooms": [
            ("Familienraum", 20, ["kitchen", "wifi"], True),
            ("Werkstatt", 15, ["whiteboard"], False),
            ("Gartensaal", 60, ["sound_system", "projector", "wifi"], True),
        ],
    },
    {
        "slug": "linden",
        "name": {"de": "Kulturtreff Linden", "en": "Linden Culture Meeting Point", "tr": "Linden Kültür Buluşma Yeri"},
        "description": {
            "de": "Musik, Tanz und Theater für alle Generationen.",
            "en": "Music, dance and theatre for all generations.",
            "tr": "Her kuşak için müzik, dans ve tiyatro.",
        },
        "district": "Linden", "street": "Fössestraße 40", "postcode": "30451", "city": "Hannover",
        "lat": 52.3700, "lon": 9.7101,
        "features": ["barrier_free", "wifi", "accessible_toilet"],
        "staff": ["de", "tr", "it", "el"],
        "rooms": [
            ("Bühnensaal", 150, ["stage", "sound_system", "projector", "piano"], True),
            ("Tanzraum", 30, ["sound_system"], True),
            ("Musikzimmer", 10, ["piano"], True),
            ("Atelier", 16, ["whiteboard"], True),
            ("Lager", 4, [], False),
        ],
    },
    {
        "slug": "vahrenheide",
        "name": {"de": "Willkommenshaus Vahrenheide", "en": "Vahrenheide Welcome House", "uk": "Дім привітання Фаренгайде", "ru": "Дом встречи Фаренхайде"},
        "description": {
            "de": "Erste Anlaufstelle für Neuangekommene: Beratung, Sprachkurse, Begegnung.",
            "en": "A first point of contact for newcomers: counselling, language courses, encounters.",
            "uk": "Перше місце звернення для новоприбулих: консультації, мовні курси, зустрічі.",
            "ru": "Первое место обращения для новоприбывших: консультации, языковые курсы, встречи.",
        },
        "district": "Vahrenheide", "street": "Weimarer Allee 8", "postcode": "30179", "city": "Hannover",
        "lat": 52.4152, "lon": 9.7588,
        "features": ["counselling", "wifi", "quiet_room", "child_friendly"],
        "staff": ["de", "uk", "ru", "ar", "fa"],
        "rooms": [
            ("Beratungsraum", 6, ["computers"], False),
            ("Kursraum A", 20, ["whiteboard", "projector", "wifi"], True),
            ("Kursraum B", 20, ["whiteboard", "wifi"], True),
            ("Treffpunkt", 40, ["kitchen", "wifi"], True),
        ],
    },
    {
        "slug": "muehlenberg",
        "name": {"de": "Stadtteilhaus Mühlenberg", "en": "Mühlenberg Community House"},
        "description": {
            "de": "Sport, Jugendtreff und Seniorencafé unter einem Dach.",
            "en": "Sport, a youth club and a seniors' café under one roof.",
        },
        "district": "Mühlenberg", "street": "Mühlenberger Markt 1", "postcode": "30457", "city": "Hannover",
        "lat": 52.3325, "lon": 9.6967,
        "features": ["barrier_free", "cafe", "accessible_toilet"],
        "staff": ["de", "tr", "ru", "hr"],
        "rooms": [
            ("Sporthalle", 80, ["sports_equipment", "sound_system"], True),
            ("Jugendraum", 25, ["sound_system", "wifi"], True),
            ("Seniorencafé", 35, ["kitchen"], True),
        ],
    },
    {
        "slug": "sahlkamp",
        "name": {"de": "Nachbarschaftszentrum Sahlkamp", "en": "Sahlkamp Neighbourhood Centre", "ar": "مركز الجيرة في زالكامب", "fa": "مرکز همسایگی زالکامپ"},
        "description": {
            "de": "Hausaufgabenhilfe, Frauencafé und interkulturelle Feste.",
            "en": "Homework help, a women's café and intercultural festivals.",
            "ar": "مساعدة في الواجبات المدرسية ومقهى للنساء واحتفالات بين الثقافات.",
            "fa": "کمک به تکالیف مدرسه، کافه زنان و جشن‌های میان‌فرهنگی.",
        },
        "district": "Sahlkamp", "street": "Hägewiesen 110", "postcode": "30657", "city": "Hannover",
        "lat": 52.4070, "lon": 9.7845,
        "features": ["barrier_free", "child_friendly", "wifi", "counselling", "baby_changing"],
        "staff": ["de", "ar", "fa", "tr"],
        "rooms": [
            ("Saal", 90, ["projector", "sound_system", "kitchen"], True),
            ("Lernraum", 15, ["computers", "whiteboard", "wifi"], True),
            ("Frauenraum", 20, ["kitchen"], True),
        ],
    },
    {
        "slug": "altstadt",
        "name": {"de": "Haus der Vielfalt Altstadt", "en": "Altstadt House of Diversity", "it": "Casa della diversità Altstadt", "el": "Σπίτι της Πολυμορφίας Altstadt"},
        "description": {
            "de": "Im Herzen der Stadt: Räume für Vereine, Ausstellungen und Diskussionen.",
            "en": "In the heart of the city: rooms for associations, exhibitions and debates.",
            "it": "Nel cuore della città: sale per associazioni, mostre e dibattiti.",
        },
        "district": "Mitte", "street": "Kramerstraße 21", "postcode": "30159", "city": "Hannover",
        "lat": 52.3717, "lon": 9.7353,
        "features": ["barrier_free", "wifi", "accessible_toilet", "quiet_room"],
        "staff": ["de", "en", "it", "el", "hr"],
        "rooms": [
            ("Forum", 100, ["projector", "screen", "sound_system", "wifi"], True),
            ("Galerie", 40, ["wifi"], True),
            ("Besprechungsraum", 12, ["screen", "whiteboard", "wifi"], True),
        ],
    },
]

ASSOCIATIONS = [
    ("Türkisch-Deutscher Elternverein", "migrant_organisation", ["tr", "de"], True,
     {"de": "Eltern helfen Eltern: Schule, Ausbildung, Sprache.", "tr": "Veliler velilere yardım ediyor: okul, meslek eğitimi, dil."}),
    ("Syrischer Kulturverein Al-Jisr", "migrant_organisation", ["ar", "de"], True,
     {"de": "Brücken bauen zwischen Kulturen.", "ar": "نبني جسورًا بين الثقافات."}),
    ("Ukrainische Gemeinde Hannover", "migrant_organisation", ["uk", "ru", "de"], True,
     {"de": "Hilfe und Begegnung für Menschen aus der Ukraine.", "uk": "Допомога та зустрічі для людей з України."}),
    ("SV Nordstadt 1921", "club", ["de", "tr"], True, {"de": "Fußball und Fitness für alle Altersgruppen."}),
    ("Initiative Sprachbrücke", "initiative", ["de", "en", "ar", "fa"], True,
     {"de": "Ehrenamtliche Deutschkurse und Sprachcafés.", "en": "Volunteer German courses and language cafés."}),
    ("Grundschule am Lindenhof", "school", ["de"], True, {"de": "Grundschule mit Ganztagsangebot."}),
    ("Frauennetzwerk Sahlkamp", "initiative", ["de", "ar", "fa", "tr"], True,
     {"de": "Ein Ort von Frauen für Frauen.", "fa": "جایی از زنان برای زنان."}),
    ("Circolo Italiano", "club", ["it", "de"], True, {"it": "Cultura e cucina italiana.", "de": "Italienische Kultur und Küche."}),
    ("Griechische Gemeinde", "religious_community", ["el", "de"], False, {"el": "Ελληνική κοινότητα.", "de": "Griechische Gemeinde."}),
    ("Jugendforum Mühlenberg", "initiative", ["de", "ru", "hr"], False, {"de": "Jugendliche gestalten ihren Stadtteil."}),
    # kinds the season has no series of; their history is in demo.history
    ("Caritas Migrationsberatung", "welfare_organisation", ["de", "ar", "fa"], True, {"de": "Beratung für Zugewanderte."}),
    ("Jobcenter Region Hannover", "public_body", ["de", "uk", "ar"], True, {"de": "Arbeit und Ausbildung."}),
    ("Nachbarschaftschor Linden", "other", ["de", "tr", "it"], True, {"de": "Singen ohne Vorkenntnisse."}),
    ("Alevitische Gemeinde Hannover", "religious_community", ["tr", "de"], True, {"de": "Cem-Haus und Kulturarbeit."}),
]

USERS = [
    ("admin@example.org", "admin", "Amira Admin", [], []),
    ("manager.nord@example.org", "manager", "Martin Nord", ["nordstadt", "vahrenheide"], []),
    ("manager.sued@example.org", "manager", "Selin Süd", ["suedstadt", "sahlkamp"], []),
    ("manager.linden@example.org", "manager", "Luca Linden", ["linden", "muehlenberg", "altstadt"], []),
    ("member@example.org", "member", "Mehmet Member", [], ["Türkisch-Deutscher Elternverein", "SV Nordstadt 1921"]),
    ("alj@example.org", "member", "Layla Haddad", [], ["Syrischer Kulturverein Al-Jisr"]),
    ("ukr@example.org", "member", "Olena Kovalenko", [], ["Ukrainische Gemeinde Hannover"]),
    ("sprache@example.org", "member", "Sara Lehmann", [], ["Initiative Sprachbrücke", "Frauennetzwerk Sahlkamp"]),
]


# The terms of use of the demo centres (terms/): house rules in several languages, fees, deposits, buffers.
HOUSE_RULES = {
    "de": "1. Die verantwortliche Person ist während der ganzen Nutzung anwesend.\n"
          "2. Ab 22 Uhr ist Ruhe; Fenster und Türen bleiben dann geschlossen.\n"
          "3. Der Raum wird aufgeräumt und besenrein verlassen; Müll wird getrennt.\n"
          "4. Kein Alkohol bei Angeboten für Kinder und Jugendliche; im ganzen Haus wird nicht geraucht.\n"
          "5. Der Schlüssel wird am nächsten Werktag bis 12 Uhr zurückgegeben.",
    "en": "1. The responsible person is present throughout.\n"
          "2. Quiet from 10 pm; windows and doors stay closed then.\n"
          "3. Leave the room tidy and swept; separate the rubbish.\n"
          "4. No alcohol at offers for children and young people; no smoking anywhere in the building.\n"
          "5. Return the key by noon on the next working day.",
    "tr": "1. Sorumlu kişi kullanım boyunca hazır bulunur.\n"
          "2. Saat 22'den sonra sessizlik; pencere ve kapılar kapalı kalır.\n"
          "3. Oda toplanmış ve süpürülmüş bırakılır; çöpler ayrıştırılır.\n"
          "4. Çocuk ve gençlere yönelik etkinliklerde alkol yoktur; binada sigara içilmez.\n"
          "5. Anahtar ertesi iş günü saat 12'ye kadar iade edilir.",
    "ar": "1. يحضر الشخص المسؤول طوال فترة الاستخدام.\n"
          "2. الهدوء من الساعة العاشرة مساءً؛ وتبقى النوافذ والأبواب مغلقة.\n"
          "3. تُترك القاعة مرتبة ونظيفة؛ وتُفرز النفايات.\n"
          "4. لا كحول في الأنشطة الموجهة للأطفال والشباب؛ والتدخين ممنوع في المبنى كله.\n"
          "5. يُعاد المفتاح في يوم العمل التالي حتى الساعة الثانية عشرة ظهرًا.",
    "uk": "1. Відповідальна особа присутня весь час.\n"
          "2. Тиша з 22:00; вікна й двері тоді зачинені.\n"
          "3. Приміщення залишають прибраним; сміття сортують.\n"
          "4. Без алкоголю на заходах для дітей і молоді; у всьому будинку не курять.\n"
          "5. Ключ повертають до 12:00 наступного робочого дня.",
}


def apply_terms(centre) -> None:
    centre.asks_responsible = True
    centre.cancel_free_days, centre.late_cancel_fee_cents, centre.late_cancel_online = 14, 1500, True
    centre.quiet_from = time(22, 0)


def room_terms(capacity: int, equipment) -> dict:
    """Fees by size (a hall costs more), a deposit against the key, set-up and clean-up in the big rooms."""
    if capacity >= 50:
        return dict(hourly_rate_cents=2000, flat_rate_cents=1500, deposit_cents=20000, setup_minutes=30,
                    cleanup_minutes=30)
    if "kitchen" in (equipment or []):
        return dict(hourly_rate_cents=800, flat_rate_cents=1000, deposit_cents=5000, setup_minutes=0,
                    cleanup_minutes=30)
    return dict(hourly_rate_cents=800, flat_rate_cents=0, deposit_cents=5000, setup_minutes=15, cleanup_minutes=15)


def ascii_slug(name: str) -> str:
    """'Türkisch-Deutscher Elternverein' -> 'tuerkischdeutscherel': e-mail addresses and URLs stay ASCII."""
    text = name.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum())[:20]


def load_demo() -> str:
    """Add the demo city; existing records with the same keys are left alone."""
    counts = {"centres": 0, "rooms": 0, "associations": 0, "users": 0}
    today = utcnow().date()
    for spec in CENTRES:
        if Centre.by_slug(spec["slug"]) is not None:
            continue
        centre = Centre(
            slug=spec["slug"], name=spec["name"], description=spec["description"], district=spec["district"],
            street=spec["street"], postcode=spec["postcode"], city=spec["city"],
            latitude=spec["lat"], longitude=spec["lon"], opening_hours=HOURS_WEEK,
            features=spec["features"], staff_languages=spec["staff"],
            contact_email=f"{spec['slug']}@example.org", contact_phone="+49 511 000000",
            website=f"https://example.org/{spec['slug']}", timezone="Europe/Berlin", default_language="de",
        )
        apply_terms(centre)
        for name, capacity, equipment, bookable in spec["rooms"]:
            centre.rooms.append(
                Room(
                    name=name, capacity=capacity, equipment=equipment, bookable=bookable,
                    barrier_free="barrier_free" in spec["features"],
                    earliest_time=time(8, 0), latest_time=time(22, 0),
                    max_duration_minutes=600, max_days_ahead=400, min_notice_hours=24,
                    **room_terms(capacity, equipment),
                )
            )
            counts["rooms"] += 1
        christmas = date(today.year, 12, 24)
        centre.closures.append(
            Closure(
                starts_on=christmas, ends_on=christmas + timedelta(days=8),
                reason={"de": "Weihnachtspause", "en": "Christmas break", "tr": "Noel tatili", "ar": "عطلة عيد الميلاد", "uk": "Різдвяна перерва"},
            )
        )
        db.session.add(centre)
        db.session.flush()
        db.session.add(HouseRules(centre_id=centre.id, version=1, text=HOUSE_RULES))
        counts["centres"] += 1
    db.session.flush()

    for name, kind, languages, verified, description in ASSOCIATIONS:
        if db.session.scalar(select(Association).where(Association.name == name)) is not None:
            continue
        slug = ascii_slug(name)
        association = Association(
            name=name, kind=kind, languages=languages, description=description,
            contact_person="Demo Kontakt", email=f"{slug}@example.org", phone="+49 511 111111",
            website=f"https://example.org/{slug}",
        )
        if verified:
            association.verify(by=None)
        db.session.add(association)
        counts["associations"] += 1
    db.session.flush()

    for email, role, name, centre_slugs, association_names in USERS:
        if User.by_email(email) is not None:
            continue
        user = User(email=email, role=role, name=name, preferred_language="de")
        user.set_password(DEMO_PASSWORD)
        user.managed_centres = [Centre.by_slug(slug) for slug in centre_slugs]
        db.session.add(user)
        db.session.flush()
        for n in association_names:  # demo members are their associations' admins
            members.add(db.session.scalar(select(Association).where(Association.name == n)), user, admin=True)
        counts["users"] += 1
    db.session.commit()
    season = load_season() or {"bookings": 0, "events": 0}
    if season["bookings"]:
        history = load_history()
        season["bookings"] += history
        season["events"] += history
        load_waiting()
        load_programmes()
    return (
        "Demo data loaded: {centres} centres, {rooms} rooms, {associations} associations, {users} users, "
        "{bookings} bookings with {events} events "
        "(password for every demo user: {pw}).".format(pw=DEMO_PASSWORD, bookings=season["bookings"],
                                                       events=season["events"], **counts)
    )
