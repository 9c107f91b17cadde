"""The explanations BITV 2.0 § 4 (Anlage 2) asks for, in Leichte Sprache (German, by the rules of Anlage 2 Teil 2).

Each section answers one of the four required questions: what the site offers, how to find one's way, the
essentials of the accessibility statement, where more Leichte Sprache and sign language is. Short sentences,
one statement each, the reader addressed personally; no abbreviations, no passive, genitive or subjunctive;
long words are split with a hyphen. ``tests/test_easy_language.py`` checks the rules that a program can check.
"""

EASY_LANGUAGE = {
    "de": [
        ("Was gibt es auf dieser Internet-Seite?", [
            "Diese Internet-Seite ist von der Stadt.",
            "Die Seite heißt Willkommens-Orte.",
            "In der Stadt gibt es Stadtteil-Zentren.",
            "Ein Stadtteil-Zentrum ist ein Haus für alle Menschen.",
            "Dort treffen sich Menschen aus dem Stadtteil.",
            "Sie können dort Deutsch lernen.",
            "Sie können dort Beratung bekommen.",
            "Sie können dort Sport machen.",
            "Sie können dort zusammen feiern.",
            "Auf dieser Seite finden Sie alle Termine.",
            "Vereine können hier einen Raum leihen.",
        ]),
        ("So finden Sie sich zurecht", [
            "Oben auf jeder Seite ist ein grünes Band.",
            "Dort stehen die wichtigsten Links.",
            "Ein Link ist ein Weg zu einer anderen Seite.",
            "Der Link „Veranstaltungen“ zeigt alle Termine.",
            "Der Link „Zentren“ zeigt alle Häuser mit Adresse.",
            "Oben rechts können Sie die Sprache wählen.",
            "Sie können die Seite auch mit der Tastatur benutzen.",
            "Mit der Tab-Taste kommen Sie zum nächsten Link.",
            "Mit der Enter-Taste öffnen Sie den Link.",
        ]),
        ("Ist die Seite barriere-frei?", [
            "Barriere-frei heißt: Alle Menschen können die Seite benutzen.",
            "Wir wollen, dass die Seite barriere-frei ist.",
            "Die Seite funktioniert auch auf dem Handy.",
            "Die Seite funktioniert auch mit einem Vorlese-Programm.",
            "Manche Teile sind noch nicht ganz barriere-frei.",
            "Das steht in der Erklärung zur Barriere-Freiheit.",
            "Haben Sie ein Problem mit der Seite?",
            "Dann schreiben Sie uns bitte.",
            "Wir antworten Ihnen.",
        ]),
        ("Wo gibt es mehr Informationen?", [
            "Es gibt eine Seite in Gebärden-Sprache.",
            "Dort erklären wir die Seite mit Videos.",
            "Sie finden die Seite oben mit dem Zeichen für Gebärden-Sprache.",
            "Sie brauchen einen Gebärden-Sprach-Dolmetscher?",
            "Dann fragen Sie in einem Stadtteil-Zentrum.",
            "Die Mitarbeiter helfen Ihnen gern.",
        ]),
    ],
}
