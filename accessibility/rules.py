"""The rules of Leichte Sprache (BITV 2.0 Anlage 2 Teil 2) that a program can check, and the text's form.

A text is written as sections separated by a blank line: the first line of a section is its heading, each
further line one sentence. ``check_easy_language`` names every sentence that breaks a rule; the admin's form
refuses such a text, and ``tests/test_easy_language.py`` holds the shipped text to the same rules.
"""

import re

from flask_babel import gettext as _

MAX_WORDS = 12
MAX_WORD_LETTERS = 14  # longer compounds are split with a hyphen (Stadtteil-Zentrum)
QUOTED = re.compile(r"„[^“]*“")  # a link's name as the page shows it („Veranstaltungen“) stays as it is
RULES = {
    "abbreviation": re.compile(r"\b(?:z\.\s?B|u\.\s?a|d\.\s?h|e\.\s?V|usw|bzw|ggf|ca|Nr|evtl|inkl|Tel)\b\.?"),
    "genitive": re.compile(r"\b(?:des|eines)\b"),
    "subjunctive": re.compile(r"\b(?:würde\w*|könnte\w*|hätte\w*|wäre\w*|sollte\w*|müsste\w*)\b"),
    # werden + a past participle: ge…t/ge…en, be-/ver-/er-/ent-/zer-…t, …iert ("wird vermietet", "wurde gebaut")
    "passive": re.compile(r"\b(?:wird|werden|wurde|wurden)\b.*\b(?:ge\w+(?:t|en)|(?:be|ver|er|ent|zer)\w+t|\w+iert)\b"),
    "semicolon": re.compile(r";"),
}


def sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, sentences) of a text written as blank-line separated sections."""
    found = []
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            found.append((lines[0], lines[1:]))
    return found


def as_text(parts: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join("\n".join([heading, *sentences]) for heading, sentences in parts)


def sentence_problems(sentence: str) -> list[str]:
    problems = []
    words = sentence.split()
    if len(words) > MAX_WORDS:
        problems.append(_("more than %(num)d words", num=MAX_WORDS))
    if sentence.count(",") > 1:
        problems.append(_("more than one statement"))
    long = [w for w in re.findall(r"[\wäöüÄÖÜß]+", QUOTED.sub("", sentence)) if len(w) > MAX_WORD_LETTERS]
    if long:
        problems.append(_("long word without a hyphen: %(word)s", word=long[0]))
    names = {"abbreviation": _("an abbreviation"), "genitive": _("a genitive"), "subjunctive": _("a subjunctive"),
             "passive": _("the passive"), "semicolon": _("a semicolon")}
    problems += [names[rule] for rule, pattern in RULES.items() if pattern.search(sentence)]
    return problems


def check_easy_language(text: str) -> list[str]:
    """Every sentence (and heading) that breaks a rule, with the rule; empty when the text keeps them all."""
    found = []
    for heading, sentences in sections(text):
        for sentence in [heading, *sentences]:
            problems = sentence_problems(sentence)
            if problems:
                found.append(_("“%(sentence)s”: %(problems)s", sentence=sentence[:80], problems=", ".join(problems)))
    if not sections(text):
        found.append(_("Please write at least one section: a heading and its sentences."))
    return found
