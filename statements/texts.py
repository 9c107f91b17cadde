"""The statements as shipped, until an admin edits them (Manage → Statements): German, the binding text, and
English. Sections are separated by an empty line; a section's first line is its heading, each further line a
paragraph. ``{site}`` is the configured SITE_NAME. The city fills in its own names and addresses."""

PRIVACY = {
    "de": """Wer ist verantwortlich?
Verantwortlich für die Verarbeitung personenbezogener Daten auf {site} ist die Stadtverwaltung, die die Stadtteilzentren betreibt (Anschrift und Datenschutzbeauftragte: siehe Impressum).

Welche Daten verarbeiten wir, und wozu?
Wer nur Veranstaltungen ansieht oder Kalender abonniert, bleibt anonym: Wir setzen keine Analyse- oder Werbe-Cookies ein, laden nichts von Dritten und speichern keine IP-Adressen über die Server-Protokolle hinaus (7 Tage).
Für ein Konto speichern wir Name, E-Mail-Adresse, ein Passwort (nur als Hash), die bevorzugte Sprache und die angemeldeten Geräte. Für Buchungen speichern wir die Anfrage, die Termine, die verantwortliche Person (Name, Telefon) und Gebühren; Zweck ist die Vergabe der Räume (Art. 6 Abs. 1 lit. b und e DSGVO).
E-Mails verschicken wir nur zu Ihrem Konto und Ihren Buchungen; ihr Inhalt wird 30 Tage nach dem Versand gelöscht.

Wie lange speichern wir?
Sitzungen: 30 Tage nach dem Ende. Personenbezogene Angaben zu Buchungen: 3 Jahre nach dem letzten Termin, danach werden sie automatisch gelöscht. Zahlen für die Berichte der Stadt enthalten keine personenbezogenen Daten.

Ihre Rechte
Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung, Datenübertragbarkeit und Widerspruch (Art. 15–21 DSGVO). Unter „Mein Konto“ laden Sie Ihre Daten herunter oder löschen Ihr Konto selbst.
Sie können sich bei der Aufsichtsbehörde für den Datenschutz Ihres Landes beschweren.""",
    "en": """Who is responsible?
The city administration that runs the district centres is responsible for processing personal data on {site} (address and data protection officer: see the imprint).

What data do we process, and why?
Anyone who only looks at events or subscribes to calendars stays anonymous: we use no analytics or advertising cookies, load nothing from third parties and keep no IP addresses beyond the server logs (7 days).
For an account we store name, e-mail address, a password (as a hash only), the preferred language and the signed-in devices. For bookings we store the request, the dates, the responsible person (name, phone) and fees, in order to allocate the rooms (GDPR Art. 6(1)(b) and (e)).
We send e-mails only about your account and your bookings; their content is deleted 30 days after sending.

How long do we keep data?
Sessions: 30 days after they end. Personal details of bookings: 3 years after the last date, then they are deleted automatically. Figures in the city's reports contain no personal data.

Your rights
You have the right of access, rectification, erasure, restriction, data portability and objection (GDPR Art. 15–21). Under “My account” you download your data or delete your account yourself.
You can lodge a complaint with your state's data protection authority.""",
}

IMPRINT = {
    "de": """Anbieter
{site} ist ein Angebot der Stadtverwaltung. Die Stadt trägt hier Namen, Anschrift, Vertretung, Kontakt und die Aufsichtsbehörde ein (§ 5 DDG).

Verantwortlich für den Inhalt
Die Stadtverwaltung, Amt für Integration. Veranstaltungstexte verantworten die Vereine und Zentren, die sie veröffentlichen.""",
    "en": """Provider
{site} is a service of the city administration. The city enters its name, address, representation, contact and supervisory authority here (§ 5 DDG).

Responsible for the content
The city administration, integration office. Event texts are the responsibility of the associations and centres that publish them.""",
}

ACCESSIBILITY = {
    "de": """Geltungsbereich
Die Stadt ist bemüht, {site} im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.

Stand der Vereinbarkeit
Die Seiten sind mit den Anforderungen der WCAG 2.1 (Stufe AA) weitgehend vereinbar. Jede Seite wird automatisch in Deutsch und Arabisch auf einem 320 Pixel breiten Bildschirm geprüft.
Noch nicht barrierefrei: Videos in Gebärdensprache gibt es erst für einen Teil der Seiten; von Vereinen eingestellte Texte sind nicht immer in Leichter Sprache.

Erstellung dieser Erklärung
Die Erklärung beruht auf einer Selbstbewertung und automatischen Prüfungen (axe).

Feedback und Kontakt
Sind Ihnen Mängel aufgefallen? Schreiben Sie uns mit dem Formular auf dieser Seite. Wir antworten innerhalb von sechs Wochen.

Schlichtungsverfahren
Wenn Sie keine zufriedenstellende Antwort erhalten, können Sie die Schlichtungsstelle nach § 16 BGG oder die Schlichtungsstelle Ihres Landes anrufen.""",
    "en": """Scope
The city strives to make {site} accessible in accordance with the German accessibility regulation for information technology (BITV 2.0).

Compliance status
The pages are largely compliant with WCAG 2.1 level AA. Every page is checked automatically in German and Arabic on a screen 320 pixels wide.
Not yet accessible: videos in sign language exist for only some pages; texts published by associations are not always in easy language.

Preparation of this statement
The statement is based on a self-assessment and automatic checks (axe).

Feedback and contact
Have you noticed barriers? Write to us with the form on this page. We answer within six weeks.

Enforcement procedure
If you do not receive a satisfactory answer, you can turn to the arbitration board under § 16 BGG or to your state's arbitration board.""",
}

STATEMENTS = {"privacy": PRIVACY, "imprint": IMPRINT, "accessibility": ACCESSIBILITY}
