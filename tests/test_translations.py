"""The catalogues are complete and in step with the code.

Fails when the strings in code and templates differ from translations/messages.pot
(run `make translations`), or when any configured language has no catalogue,
an untranslated entry, or a fuzzy one.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from config import DEFAULT_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def read_catalogue(path):
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(out), "--no-location", "--omit-header", "--sort-output", "--ignore-dirs=.* ._ node_modules test-artifacts", "."],
        cwd=ROOT, check=True,
    )
    return read_catalogue(out)


def ids(catalogue):
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in catalogue if message.id}


def test_template_matches_code(extracted):
    committed = read_catalogue(TRANSLATIONS / "messages.pot")
    missing = ids(extracted) - ids(committed)
    stale = ids(committed) - ids(extracted)
    assert not missing and not stale, (
        f"translations/messages.pot is out of date; run `make translations`. "
        f"New strings: {sorted(map(str, missing))[:20]}; removed: {sorted(map(str, stale))[:20]}"
    )


@pytest.mark.parametrize("code", [c for c in DEFAULT_LANGUAGES if c != "en"] + ["en"])
def test_catalogue_is_complete(code, extracted):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {code}"
    catalogue = read_catalogue(path)
    assert ids(catalogue) == ids(extracted), f"{code}: catalogue not updated; run `make translations`"
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("code", DEFAULT_LANGUAGES)
def test_placeholders_are_kept(code):
    """A translation must use exactly the placeholders of its message id."""
    import re

    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        pytest.fail(f"no catalogue for {code}")
    pattern = re.compile(r"%\((\w+)\)[sd]")
    for message in read_catalogue(path):
        if not message.id or not message.string:
            continue
        msgids = message.id if isinstance(message.id, tuple | list) else [message.id]
        wanted = set().union(*(pattern.findall(m) for m in msgids))
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        for string in strings:
            found = set(pattern.findall(string))
            # A plural form may leave out the number (e.g. Arabic's "one" and "two" forms).
            assert found <= wanted and (wanted - found) <= {"num", "count"}, (code, message.id, string)
