"""Hand untranslated catalogue entries to a translator as JSON, and merge them back.

    python tools/translations.py export LANG > todo.json
    python tools/translations.py import LANG done.json

The JSON maps each message id to its translation: a string, or for a plural
entry a list with one string per plural form of the language (the export
shows how many forms and the plural rule). Fuzzy marks are cleared on import.
Used to produce the first catalogues; volunteers can use any PO editor instead.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def catalogue_path(lang: str) -> Path:
    return ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str):
    with open(catalogue_path(lang), "rb") as handle:
        return read_po(handle, locale=lang)


def save(lang: str, catalogue) -> None:
    with open(catalogue_path(lang), "wb") as handle:
        write_po(handle, catalogue, omit_header=False, no_location=True, width=0)


def export(lang: str) -> None:
    catalogue = load(lang)
    todo = {"_plural_forms": catalogue.num_plurals, "_plural_rule": catalogue.plural_expr, "messages": {}}
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(strings):
            key = message.id if isinstance(message.id, str) else "\u241e".join(message.id)
            todo["messages"][key] = [""] * catalogue.num_plurals if message.pluralizable else ""
    json.dump(todo, sys.stdout, ensure_ascii=False, indent=1)


def import_(lang: str, path: str) -> None:
    catalogue = load(lang)
    data = json.loads(Path(path).read_text())
    data = data.get("messages", data)
    done = 0
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else "\u241e".join(message.id)
        value = data.get(key)
        if not value:
            continue
        if message.pluralizable:
            if not isinstance(value, list) or len(value) != catalogue.num_plurals:
                raise SystemExit(f"{lang}: {key!r} needs {catalogue.num_plurals} plural forms")
            message.string = tuple(value)
        else:
            message.string = value
        message.flags.discard("fuzzy")
        done += 1
    save(lang, catalogue)
    print(f"{lang}: {done} entries merged")


if __name__ == "__main__":
    command, lang, *rest = sys.argv[1:]
    if command == "export":
        export(lang)
    elif command == "import":
        import_(lang, rest[0])
    else:
        raise SystemExit(__doc__)
