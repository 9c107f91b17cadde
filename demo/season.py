"""A season of bookings and events for the demo city, from about six weeks ago to three months ahead.

Everything goes through the booking services (rules, conflict checks,
approvals, cancellations), with "now" set six weeks back so that past dates
exist too. Weekly series, single dates, pending and rejected requests, a pair
of competing requests, cancelled dates, and public events in many languages
across every category and audience. The demo sends no e-mail.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

import mail
from accounts.models import Association, User
from bookings import services
from bookings.errors import BookingConflict, RuleViolation
from bookings.models import Booking
from bookings.recurrence import WEEKDAY_CODES, Recurrence, week_start
from bookings.rules import closures_for
from centres.models import Centre
from database import write_transaction
from events.models import ensure_categories
from extensions import db
from terms.rules import Responsible
from timeutil import utcnow

FREE, PAID = True, False


@dataclass
class Spec:
    centre: str
    room: str | None  # None: the centre's own event without a room
    association: str | None  # None: the centre's own booking (approved at once)
    category: str
    audiences: list
    languages: list
    title: dict
    weekday: int  # Monday = 0
    start: str
    end: str
    count: int = 1  # dates (1: a single date)
    week: int = 0  # weeks after the season's first Monday
    interval: int = 1
    outcome: str = "approved"  # approved | pending | rejected
    cancel: list = field(default_factory=list)  # (index of the date, reason)
    description: dict = field(default_factory=dict)
    free: bool = FREE
    price: str = ""
    registration: str = ""


HOLIDAY = "Ferien / holidays"
SPECS = [
    # Nordstadt
    Spec("nordstadt", "Großer Saal", "SV Nordstadt 1921", "sport", ["youth", "everyone"], ["de", "tr"],
         {"de": "Fußball-Hallentraining", "tr": "Salon futbolu antrenmanı", "en": "Indoor football training"},
         0, "18:00", "20:00", 20, cancel=[(7, "Halle wird gewischt – Hall floor is being sealed")]),
    Spec("nordstadt", "Großer Saal", "SV Nordstadt 1921", "sport", ["youth"], ["de"],
         {"de": "Vereinsfeier SV Nordstadt"}, 5, "17:00", "21:00", 1, week=6,
         outcome="pending"),  # competes with the next one: approving that one rejects this one
    Spec("nordstadt", "Großer Saal", "Syrischer Kulturverein Al-Jisr", "culture", ["everyone", "families"], ["ar", "de"],
         {"de": "Arabischer Kulturabend", "ar": "أمسية ثقافية عربية", "en": "Arabic culture evening"},
         5, "18:00", "22:00", 1, week=6, description={"de": "Musik, Poesie und Essen.", "ar": "موسيقى وشعر وطعام."}),
    Spec("nordstadt", "Großer Saal", None, "festival", ["everyone", "families", "children"], ["de", "tr", "ar", "en"],
         {"de": "Nachbarschaftsfest Nordstadt", "en": "Nordstadt neighbourhood festival",
          "tr": "Nordstadt komşuluk şenliği", "ar": "مهرجان الجيران في نوردشتات"}, 6, "12:00", "18:00", 1, week=7),
    Spec("nordstadt", "Großer Saal", "Initiative Sprachbrücke", "democracy", ["everyone", "newcomers"], ["de", "en", "ar"],
         {"de": "Wie funktioniert die Kommunalwahl? Infoabend", "en": "How do local elections work? Information evening",
          "ar": "كيف تجري الانتخابات المحلية؟ أمسية معلومات"}, 2, "19:00", "21:00", 1, week=7),
    Spec("nordstadt", "Seminarraum 1", "Initiative Sprachbrücke", "language_course", ["newcomers", "refugees"],
         ["de", "ar", "fa"], {"de": "Deutschkurs A1 für Anfänger", "en": "German course A1 for beginners",
                              "ar": "دورة اللغة الألمانية A1 للمبتدئين", "fa": "کلاس زبان آلمانی A1 برای مبتدیان"},
         1, "10:00", "12:00", 20, registration="https://example.org/sprachbruecke/anmeldung",
         cancel=[(3, "Kursleiterin krank – teacher ill"), (8, HOLIDAY)]),
    Spec("nordstadt", "Seminarraum 1", "Initiative Sprachbrücke", "language_course", ["newcomers"], ["de", "uk", "ru"],
         {"de": "Deutschkurs B1", "uk": "Курс німецької мови B1", "ru": "Курс немецкого языка B1", "en": "German course B1"},
         3, "10:00", "12:00", 20),
    Spec("nordstadt", "Seminarraum 1", "Türkisch-Deutscher Elternverein", "education", ["families"], ["tr", "de"],
         {"de": "Elternabend: Übergang in die weiterführende Schule", "tr": "Veli akşamı: Ortaokula geçiş"},
         2, "18:00", "20:00", 1, week=6),
    Spec("nordstadt", "Seminarraum 2", "Türkisch-Deutscher Elternverein", "counselling", ["families", "women"], ["tr", "de"],
         {"de": "Elternberatung auf Türkisch", "tr": "Türkçe veli danışmanlığı", "en": "Advice for parents in Turkish"},
         2, "16:00", "18:00", 16, week=1),
    Spec("nordstadt", "Seminarraum 2", "Syrischer Kulturverein Al-Jisr", "counselling", ["refugees", "newcomers"], ["ar", "de"],
         {"de": "Sprechstunde für Geflüchtete", "ar": "ساعة استشارة للاجئين", "en": "Drop-in advice for refugees"},
         4, "14:00", "16:00", 16, week=1),
    Spec("nordstadt", "Seminarraum 2", "Ukrainische Gemeinde Hannover", "education", ["students", "newcomers"], ["uk", "de"],
         {"uk": "Підготовка до іспиту з німецької B2", "de": "Prüfungsvorbereitung Deutsch B2"}, 0, "17:00", "19:00", 12, week=2),
    Spec("nordstadt", "Küche", "Syrischer Kulturverein Al-Jisr", "encounter", ["everyone"], ["ar", "de", "en"],
         {"de": "Gemeinsam kochen: Syrische Küche", "ar": "نطبخ معًا: المطبخ السوري", "en": "Cooking together: Syrian cuisine"},
         3, "17:00", "20:00", 8, interval=2, free=PAID, price="3 € für Zutaten / 3 € for ingredients"),
    Spec("nordstadt", "Küche", "Türkisch-Deutscher Elternverein", "children_family", ["children", "families"], ["tr", "de"],
         {"de": "Backen mit Kindern", "tr": "Çocuklarla pasta yapımı"}, 5, "10:00", "12:00", 1, week=8, outcome="pending"),
    Spec("nordstadt", "Küche", "Frauennetzwerk Sahlkamp", "encounter", ["women", "newcomers"], ["fa", "de", "ar"],
         {"de": "Frauenküche: Rezepte aus der Heimat", "fa": "آشپزخانه زنان: دستورهای غذایی از وطن",
          "ar": "مطبخ النساء: وصفات من الوطن"}, 0, "10:00", "13:00", 12),
    Spec("nordstadt", None, None, "festival", ["everyone", "families", "children"], ["de", "tr", "ar", "en"],
         {"de": "Straßenfest Lindenstraße", "en": "Lindenstraße street festival", "tr": "Lindenstraße sokak şenliği",
          "ar": "مهرجان شارع ليندن"}, 5, "13:00", "19:00", 1, week=15),
    # Vahrenheide
    Spec("vahrenheide", "Kursraum A", "Ukrainische Gemeinde Hannover", "language_course", ["newcomers", "refugees"], ["de", "uk"],
         {"de": "Deutsch für Ukrainerinnen und Ukrainer", "uk": "Німецька для українців", "ru": "Немецкий для украинцев"},
         0, "09:00", "12:00", 20, cancel=[(9, HOLIDAY)]),
    Spec("vahrenheide", "Kursraum A", "Ukrainische Gemeinde Hannover", "children_family", ["children"], ["uk"],
         {"uk": "Українська школа вихідного дня", "de": "Ukrainische Samstagsschule", "en": "Ukrainian Saturday school"},
         5, "10:00", "13:00", 18),
    Spec("vahrenheide", "Kursraum A", "Initiative Sprachbrücke", "language_course", ["refugees", "newcomers"], ["de", "fa", "ar"],
         {"de": "Alphabetisierungskurs", "fa": "کلاس سوادآموزی", "ar": "دورة محو الأمية", "en": "Literacy course"},
         2, "09:00", "11:30", 20),
    Spec("vahrenheide", "Kursraum B", "Ukrainische Gemeinde Hannover", "counselling", ["refugees"], ["uk", "ru", "de"],
         {"de": "Beratung zu Aufenthalt und Arbeit", "uk": "Консультації щодо перебування та роботи",
          "ru": "Консультации по пребыванию и работе"}, 1, "14:00", "17:00", 18),
    Spec("vahrenheide", "Kursraum B", "Initiative Sprachbrücke", "refugee_help", ["refugees", "newcomers"], ["de", "fa", "ar"],
         {"de": "Hilfe bei Behördenbriefen", "fa": "کمک در نامه‌های اداری", "ar": "مساعدة في رسائل الدوائر الرسمية",
          "en": "Help with letters from the authorities"}, 3, "15:00", "17:00", 18),
    Spec("vahrenheide", "Treffpunkt", "Ukrainische Gemeinde Hannover", "encounter", ["everyone", "seniors"], ["uk", "ru", "de"],
         {"uk": "Чайні зустрічі", "de": "Teenachmittag der Begegnung", "ru": "Чайные встречи"}, 6, "15:00", "18:00", 12, week=2),
    Spec("vahrenheide", "Treffpunkt", None, "refugee_help", ["refugees", "newcomers", "families"], ["de", "uk", "ar", "fa"],
         {"de": "Kleiderkammer", "en": "Clothes bank", "uk": "Пункт видачі одягу", "ar": "بنك الملابس", "fa": "بانک لباس"},
         2, "10:00", "13:00", 20),
    Spec("vahrenheide", "Treffpunkt", "Ukrainische Gemeinde Hannover", "festival", ["everyone", "families"], ["uk", "de"],
         {"uk": "Український культурний вечір", "de": "Ukrainischer Kulturabend", "en": "Ukrainian culture evening"},
         5, "17:00", "21:00", 1, week=9),
    Spec("vahrenheide", "Treffpunkt", "Syrischer Kulturverein Al-Jisr", "youth", ["youth", "refugees"], ["ar", "de"],
         {"de": "Jugendtreff Al-Jisr", "ar": "لقاء شباب الجسر"}, 4, "16:00", "19:00", 16),
    # Mühlenberg
    Spec("muehlenberg", "Sporthalle", "SV Nordstadt 1921", "sport", ["children"], ["de", "tr"],
         {"de": "Kinderturnen", "tr": "Çocuk jimnastiği", "en": "Gymnastics for children"}, 1, "16:00", "17:30", 20),
    Spec("muehlenberg", "Sporthalle", None, "sport", ["women"], ["de", "tr", "ar"],
         {"de": "Frauensport – nur für Frauen", "tr": "Kadınlar için spor", "ar": "رياضة للنساء فقط", "en": "Sport for women only"},
         3, "18:00", "19:30", 20, cancel=[(6, "Halle gesperrt – hall closed")]),
    Spec("muehlenberg", "Sporthalle", "SV Nordstadt 1921", "sport", ["youth"], ["de", "ru", "hr"],
         {"de": "Basketball für Jugendliche", "ru": "Баскетбол для молодёжи", "hr": "Košarka za mlade"}, 4, "18:00", "20:00", 20),
    Spec("muehlenberg", "Sporthalle", None, "festival", ["everyone", "families", "children"], ["de", "tr", "ru", "hr"],
         {"de": "Sportfest im Stadtteil", "tr": "Mahalle spor şenliği", "ru": "Спортивный праздник района",
          "hr": "Sportski festival četvrti"}, 5, "10:00", "17:00", 1, week=10),
    Spec("muehlenberg", "Jugendraum", "Jugendforum Mühlenberg", "youth", ["youth"], ["de", "ru"],
         {"de": "Jugendcafé", "ru": "Молодёжное кафе"}, 4, "17:00", "21:00", 10, week=6, outcome="pending"),
    Spec("muehlenberg", "Jugendraum", None, "youth", ["youth", "students"], ["de", "en", "hr"],
         {"de": "Hausaufgabenhilfe für Jugendliche", "en": "Homework help for teenagers", "hr": "Pomoć u zadaćama za mlade"},
         0, "15:00", "17:00", 20),
    Spec("muehlenberg", "Jugendraum", "SV Nordstadt 1921", "youth", ["youth"], ["de", "tr"],
         {"de": "E-Sport-Turnier", "tr": "E-spor turnuvası", "en": "eSports tournament"}, 5, "14:00", "19:00", 1, week=8),
    Spec("muehlenberg", "Seniorencafé", None, "seniors", ["seniors"], ["de", "ru", "hr"],
         {"de": "Seniorencafé mit Kuchen", "ru": "Кафе для пожилых", "hr": "Kafić za starije"}, 2, "14:30", "17:00", 20),
    Spec("muehlenberg", "Seniorencafé", "Türkisch-Deutscher Elternverein", "seniors", ["seniors", "women"], ["tr", "de"],
         {"de": "Handarbeitskreis", "tr": "El işi grubu"}, 4, "10:00", "12:00", 16),
    # Linden
    Spec("linden", "Bühnensaal", "Circolo Italiano", "culture", ["everyone"], ["it", "de"],
         {"it": "Cinema italiano: Nuovo Cinema Paradiso", "de": "Italienisches Kino: Cinema Paradiso"},
         4, "19:00", "22:00", 8, interval=2, free=PAID, price="3 €", cancel=[(4, "Projektor defekt – projector broken")]),
    Spec("linden", "Bühnensaal", None, "culture", ["everyone", "families"], ["de", "tr", "it", "el"],
         {"de": "Offene Bühne: Musik aus aller Welt", "en": "Open stage: music from around the world",
          "tr": "Açık sahne: Dünyadan müzik", "it": "Palco aperto: musica dal mondo",
          "el": "Ανοιχτή σκηνή: μουσική από όλο τον κόσμο"}, 5, "19:00", "22:00", 5, week=1, interval=4),
    Spec("linden", "Bühnensaal", "Grundschule am Lindenhof", "children_family", ["children", "families"], ["de"],
         {"de": "Theateraufführung der Klasse 4", "en": "Year 4 theatre performance"}, 2, "17:00", "19:00", 1, week=8),
    Spec("linden", "Tanzraum", "Circolo Italiano", "culture", ["seniors", "everyone"], ["it", "de"],
         {"it": "Corso di ballo liscio", "de": "Tanzkurs: Standardtänze auf Italienisch"}, 2, "18:00", "19:30", 16),
    Spec("linden", "Tanzraum", "Türkisch-Deutscher Elternverein", "culture", ["youth", "women"], ["tr", "de"],
         {"tr": "Halk dansları kursu", "de": "Kurs für türkische Volkstänze", "en": "Turkish folk dance course"},
         0, "18:00", "20:00", 16),
    Spec("linden", "Tanzraum", "Ukrainische Gemeinde Hannover", "children_family", ["children", "youth"], ["uk"],
         {"uk": "Дитячий ансамбль народного танцю", "de": "Kindertanzgruppe (ukrainischer Volkstanz)"},
         5, "11:00", "13:00", 16),
    Spec("linden", "Musikzimmer", "Grundschule am Lindenhof", "children_family", ["children"], ["de"],
         {"de": "Kinderchor der Grundschule", "en": "Primary school children's choir"}, 3, "15:00", "16:00", 16),
    Spec("linden", "Musikzimmer", "Circolo Italiano", "culture", ["seniors", "everyone"], ["it"],
         {"it": "Coro italiano", "de": "Italienischer Chor"}, 1, "18:00", "20:00", 16),
    Spec("linden", "Atelier", None, "culture", ["everyone", "seniors"], ["de", "el", "it"],
         {"de": "Offenes Malatelier", "el": "Ανοιχτό εργαστήριο ζωγραφικής", "it": "Atelier di pittura aperto"},
         1, "17:00", "19:00", 20),
    Spec("linden", "Atelier", "Griechische Gemeinde", "culture", ["children"], ["el", "de"],
         {"el": "Μαθήματα ελληνικών για παιδιά", "de": "Griechischunterricht für Kinder"}, 5, "10:00", "12:00", 10,
         week=6, outcome="pending"),
    # Sahlkamp
    Spec("sahlkamp", "Frauenraum", "Frauennetzwerk Sahlkamp", "encounter", ["women"], ["de", "ar", "fa", "tr"],
         {"de": "Frauencafé", "ar": "مقهى النساء", "fa": "کافه زنان", "tr": "Kadın kafesi", "en": "Women's café"},
         1, "09:30", "12:00", 20, cancel=[(5, HOLIDAY)]),
    Spec("sahlkamp", "Frauenraum", "Frauennetzwerk Sahlkamp", "counselling", ["women", "refugees"], ["fa", "ar", "de"],
         {"de": "Beratung für Frauen", "fa": "مشاوره برای زنان", "ar": "استشارات للنساء"}, 3, "10:00", "12:00", 20),
    Spec("sahlkamp", "Lernraum", None, "education", ["children", "students"], ["de", "ar", "tr"],
         {"de": "Hausaufgabenhilfe", "ar": "مساعدة في الواجبات المدرسية", "tr": "Ödev yardımı", "en": "Homework help"},
         0, "14:00", "16:00", 20),
    Spec("sahlkamp", "Lernraum", "Initiative Sprachbrücke", "education", ["newcomers", "everyone"], ["de", "en", "ar"],
         {"de": "Computerkurs: Online-Termine bei Behörden", "en": "Computer course: booking appointments online",
          "ar": "دورة حاسوب: حجز المواعيد إلكترونيًا"}, 2, "17:00", "19:00", 8, week=3),
    Spec("sahlkamp", "Lernraum", "Frauennetzwerk Sahlkamp", "education", ["women", "newcomers"], ["de", "ar", "fa"],
         {"de": "Deutsch für Frauen mit Kinderbetreuung", "ar": "ألمانية للنساء مع رعاية الأطفال",
          "fa": "آلمانی برای زنان با مراقبت از کودک"}, 4, "09:00", "11:30", 20),
    Spec("sahlkamp", "Saal", "Syrischer Kulturverein Al-Jisr", "festival", ["everyone", "families"], ["ar", "de", "fa"],
         {"de": "Zuckerfest-Feier", "ar": "احتفال عيد الفطر", "fa": "جشن عید فطر", "en": "Eid al-Fitr celebration"},
         6, "14:00", "20:00", 1, week=14),
    Spec("sahlkamp", "Saal", None, "democracy", ["everyone"], ["de", "ar", "fa", "tr"],
         {"de": "Stadtteilforum: Was wünschen Sie sich für Sahlkamp?", "ar": "منتدى الحي: ماذا تتمنى لزالكامب؟",
          "tr": "Mahalle forumu: Sahlkamp için ne istiyorsunuz?", "fa": "انجمن محله: برای زالکامپ چه می‌خواهید؟"},
         3, "18:30", "20:30", 4, interval=4),
    Spec("sahlkamp", "Saal", "Frauennetzwerk Sahlkamp", "sport", ["women"], ["de", "ar", "fa"],
         {"de": "Yoga für Frauen", "ar": "يوغا للنساء", "fa": "یوگا برای زنان"}, 0, "18:00", "19:30", 16),
    Spec("sahlkamp", "Saal", None, "seniors", ["seniors", "everyone"], ["de", "tr", "ar"],
         {"de": "Tanztee für Ältere", "tr": "Yaşlılar için çay ve dans", "ar": "شاي ورقص لكبار السن"},
         2, "15:00", "17:00", 8, interval=2),
    Spec("sahlkamp", "Saal", "Syrischer Kulturverein Al-Jisr", "culture", ["everyone"], ["ar"],
         {"ar": "حفل موسيقي", "de": "Konzert"}, 5, "20:00", "22:00", 1, week=7, outcome="rejected"),
    Spec("sahlkamp", None, None, "encounter", ["everyone", "seniors"], ["de", "en", "fa", "ar"],
         {"de": "Stadtteilspaziergang mit Geschichten", "en": "Neighbourhood walk with stories",
          "fa": "پیاده‌روی محله همراه با داستان", "ar": "جولة في الحي مع الحكايات"}, 6, "11:00", "13:00", 1, week=4),
    # Südstadt
    Spec("suedstadt", "Familienraum", None, "children_family", ["families", "children"], ["de", "ar", "fa"],
         {"de": "Krabbelgruppe", "ar": "مجموعة الأطفال الرضع", "fa": "گروه بازی نوزادان", "en": "Toddler group"},
         1, "09:30", "11:30", 20),
    Spec("suedstadt", "Familienraum", "Syrischer Kulturverein Al-Jisr", "children_family", ["families", "women"], ["ar", "de"],
         {"de": "Müttertreff", "ar": "لقاء الأمهات"}, 3, "09:30", "11:30", 20, cancel=[(2, HOLIDAY)]),
    Spec("suedstadt", "Familienraum", "Frauennetzwerk Sahlkamp", "education", ["families"], ["de", "fa"],
         {"de": "Elternkurs: Stark durch Erziehung", "fa": "کلاس والدین: تربیت با قدرت"}, 2, "17:00", "19:00", 6, week=4),
    Spec("suedstadt", "Gartensaal", None, "encounter", ["everyone", "seniors", "families"], ["de", "ar", "fa", "en"],
         {"de": "Interkulturelles Nachbarschaftsfrühstück", "en": "Intercultural neighbourhood breakfast",
          "ar": "فطور الجيران بين الثقافات", "fa": "صبحانه همسایگی میان‌فرهنگی"}, 6, "10:00", "12:30", 10, interval=2),
    Spec("suedstadt", "Gartensaal", "SV Nordstadt 1921", "sport", ["seniors"], ["de"],
         {"de": "Sitzgymnastik für Ältere", "en": "Chair exercises for older people"}, 0, "10:00", "11:00", 20),
    Spec("suedstadt", "Gartensaal", None, "festival", ["everyone", "children", "families"], ["de", "en", "ar", "fa"],
         {"de": "Laternenfest", "en": "Lantern festival", "ar": "مهرجان الفوانيس", "fa": "جشن فانوس"},
         4, "17:00", "19:30", 1, week=1),
    Spec("suedstadt", "Gartensaal", "Ukrainische Gemeinde Hannover", "culture", ["everyone"], ["uk", "de"],
         {"uk": "Концерт бандуристів", "de": "Konzert mit Bandura", "en": "Bandura concert"}, 5, "18:00", "20:00", 1,
         week=9, outcome="pending"),
    # Altstadt
    Spec("altstadt", "Forum", None, "democracy", ["everyone", "students"], ["de", "en"],
         {"de": "Podiumsdiskussion: Vielfalt in der Stadtpolitik", "en": "Panel discussion: diversity in city politics",
          "it": "Tavola rotonda: diversità nella politica cittadina"}, 1, "19:00", "21:00", 4, week=1, interval=4),
    Spec("altstadt", "Forum", "Circolo Italiano", "culture", ["everyone", "seniors"], ["it", "de"],
         {"it": "Conferenza: la storia dell'emigrazione italiana", "de": "Vortrag: Geschichte der italienischen Einwanderung",
          "en": "Talk: the history of Italian immigration"}, 3, "19:00", "21:00", 1, week=7),
    Spec("altstadt", "Forum", "Initiative Sprachbrücke", "language_course", ["everyone"], ["de", "en", "ar", "fa", "tr", "uk"],
         {"de": "Sprachcafé: viele Sprachen, ein Tisch", "en": "Language café: many languages, one table",
          "tr": "Dil kafesi", "ar": "مقهى اللغات", "uk": "Мовне кафе", "fa": "کافه زبان"}, 4, "17:00", "19:00", 20),
    Spec("altstadt", "Forum", None, "festival", ["everyone"], ["de", "en", "it", "el", "hr", "tr", "ar", "uk"],
         {"de": "Fest der Vielfalt", "en": "Festival of diversity", "it": "Festa della diversità", "el": "Γιορτή της πολυμορφίας",
          "hr": "Festival raznolikosti", "tr": "Çeşitlilik şenliği", "ar": "مهرجان التنوع", "uk": "Свято різноманіття"},
         6, "12:00", "20:00", 1, week=12),
    Spec("altstadt", "Galerie", None, "culture", ["everyone"], ["de", "en", "el", "it", "hr"],
         {"de": "Ausstellung: Ankommen in Hannover", "en": "Exhibition: Arriving in Hannover",
          "el": "Έκθεση: Φτάνοντας στο Αννόβερο", "it": "Mostra: Arrivare ad Hannover", "hr": "Izložba: Dolazak u Hannover"},
         5, "11:00", "17:00", 6, week=3),
    Spec("altstadt", "Galerie", "Griechische Gemeinde", "encounter", ["everyone"], ["el", "de"],
         {"el": "Ελληνικός καφές και κουβέντα", "de": "Griechischer Kaffeeklatsch"}, 6, "15:00", "17:00", 8, week=6,
         outcome="pending"),
    Spec("altstadt", "Besprechungsraum", "Initiative Sprachbrücke", "language_course", ["students", "everyone"], ["en", "de"],
         {"en": "English conversation club", "de": "Englisch-Gesprächsrunde"}, 0, "18:00", "19:30", 16),
    Spec("altstadt", "Besprechungsraum", None, "counselling", ["newcomers", "students"], ["de", "en", "it", "el", "hr"],
         {"de": "Anerkennungsberatung für ausländische Abschlüsse", "en": "Advice on recognition of foreign qualifications",
          "hr": "Savjetovanje o priznavanju stranih diploma", "it": "Consulenza sul riconoscimento dei titoli esteri",
          "el": "Συμβουλευτική για αναγνώριση πτυχίων"}, 2, "14:00", "17:00", 20),
    Spec("altstadt", "Besprechungsraum", "Syrischer Kulturverein Al-Jisr", "refugee_help", ["refugees"], ["ar", "de"],
         {"de": "Rechtsberatung für Geflüchtete", "ar": "استشارة قانونية للاجئين"}, 3, "16:00", "18:00", 12, week=1),
]

REJECTION = "Der Saal ist an diesem Abend schon für eine Hochzeit vermietet. – The hall is already let for a wedding."
SEASON_DAYS_BACK = 42


def quiet_commit():
    """Commit without e-mail: the demo's people are invented."""
    mail.discard_queued()
    db.session.commit()


def _closed_days(centre, room) -> set[date]:
    days = set()
    for closure in closures_for(centre, room):
        day = closure.starts_on
        while day <= closure.ends_on:
            days.add(day)
            day += timedelta(days=1)
    return days


def load_season() -> dict | None:
    """Add the season when there are no bookings yet; returns what was added (None when skipped)."""
    if db.session.scalar(select(func.count(Booking.id))):
        return None
    counts = {"bookings": 0, "events": 0, "skipped": 0}
    with write_transaction():
        ensure_categories()
        quiet_commit()
        now = utcnow() - timedelta(days=SEASON_DAYS_BACK)
        monday = week_start(now.date()) + timedelta(weeks=1)
        admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
        made = []
        for spec in SPECS:
            centre = Centre.by_slug(spec.centre)
            room = next((r for r in centre.rooms if r.name == spec.room), None) if centre and spec.room else None
            association = (db.session.scalar(select(Association).where(Association.name == spec.association))
                           if spec.association else None)
            if centre is None or (spec.room and room is None) or (spec.association and association is None):
                counts["skipped"] += 1
                continue
            manager = next((m for m in centre.managers if m.active), None) or admin
            by = (next((u for u in association.members if u.active), None) or admin) if association else manager
            if by is None:
                counts["skipped"] += 1
                continue
            day = monday + timedelta(weeks=spec.week, days=spec.weekday)
            closed = _closed_days(centre, room)
            while spec.count == 1 and day in closed:  # a single date on a holiday moves on a week
                day += timedelta(weeks=1)
            hour, minute = (int(x) for x in spec.start.split(":"))
            end_hour, end_minute = (int(x) for x in spec.end.split(":"))
            recurrence = (Recurrence(interval=spec.interval, weekdays=[WEEKDAY_CODES[spec.weekday]], count=spec.count)
                          if spec.count > 1 else None)
            features = centre.features or []
            request = services.BookingRequest(
                centre=centre, room=room, association=association, title=next(iter(spec.title.values())),
                start=datetime.combine(day, time(hour, minute)), end=datetime.combine(day, time(end_hour, end_minute)),
                recurrence=recurrence, skip_conflicts=True, exclude_dates=frozenset(closed),
                accept_terms=True, responsible=Responsible(by.name or "Demo Kontakt", "+49 511 222222", True),
                event={"title": spec.title, "description": spec.description, "category_key": spec.category,
                       "audiences": spec.audiences, "languages": spec.languages, "is_free": spec.free,
                       "price": spec.price, "registration_url": spec.registration,
                       "barrier_free": room.barrier_free if room else "barrier_free" in features},
            )
            try:
                booking = services.request_booking(request, by, now=now)
                quiet_commit()
            except (RuleViolation, BookingConflict):
                db.session.rollback()
                counts["skipped"] += 1
                continue
            made.append((spec, booking, manager))
            counts["bookings"] += 1
            counts["events"] += 1
        # the decisions, in the order of the requests (approving one rejects the requests it competes with)
        for spec, booking, manager in made:
            db.session.refresh(booking)
            if booking.status != "pending" or spec.outcome == "pending":
                continue
            try:
                if spec.outcome == "approved":
                    services.approve(booking, manager, now=now)
                elif spec.outcome == "rejected":
                    services.reject(booking, manager, reason=REJECTION, now=now)
                quiet_commit()
            except (RuleViolation, BookingConflict):
                db.session.rollback()
        for spec, booking, manager in made:
            for index, reason in spec.cancel:
                db.session.refresh(booking)
                if index < len(booking.occurrences) and booking.occurrences[index].status == "approved":
                    services.cancel(booking, manager, occurrence_id=booking.occurrences[index].id, reason=reason, now=now)
                    quiet_commit()
    return counts
