"""Static checks of templates and stylesheets: what the CSP, right-to-left pages and "no third party" need.

No browser needed; the browser tests in tests/browser/ check the rendered pages.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
STYLESHEETS = sorted((ROOT / "static").rglob("*.css"))
SCRIPTS = sorted((ROOT / "static").rglob("*.js"))
SPRITE = ROOT / "static" / "icons.svg"

# Mail templates go to mail clients, not browsers: the CSP does not apply to them.
PAGE_TEMPLATES = [t for t in TEMPLATES if "mail" not in t.relative_to(ROOT / "templates").parts]


def rel(path):
    return str(path.relative_to(ROOT))


def strip_jinja_comments(text):
    return re.sub(r"\{#.*?#\}", "", text, flags=re.S)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=rel)
def test_no_inline_styles_or_scripts(template):
    """The Content-Security-Policy allows neither (style-src 'self'; script-src 'self')."""
    text = strip_jinja_comments(template.read_text(encoding="utf-8"))
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert not re.search(r"<style[\s>]", text), "inline <style> element"
    for tag in re.findall(r"<script\b[^>]*>", text):
        data_block = re.search(r"type=[\"']application/(?:ld\+)?json[\"']", tag)  # not executed, CSP allows it
        assert "src=" in tag or data_block, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), "inline event handler (onclick= …)"
    assert not re.search(r"javascript:", text, re.I), "javascript: URL"


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=rel)
def test_no_third_party_resources(template):
    """Stylesheets, scripts, fonts, images and frames come from the app itself."""
    text = strip_jinja_comments(template.read_text(encoding="utf-8"))
    for tag in re.findall(r"<(?:link|script|img|iframe|source|video|audio)\b[^>]*>", text, re.I):
        if re.search(r"<link\b", tag, re.I) and re.search(r"rel=[\"'](?:alternate|canonical)", tag):
            continue
        assert not re.search(r"(?:src|href)=[\"'](?:https?:)?//", tag), f"third-party resource: {tag}"


PHYSICAL = [
    (r"\b(?:margin|padding|border)-(?:left|right)\b", "margin/padding/border-left/right"),
    (r"(?<![\w-])(?:left|right)\s*:", "left:/right:"),
    (r"\btext-align\s*:\s*(?:left|right)\b", "text-align: left/right"),
    (r"\bfloat\s*:\s*(?:left|right)\b", "float: left/right"),
    (r"\bclear\s*:\s*(?:left|right)\b", "clear: left/right"),
    (r"\bborder-(?:top|bottom)-(?:left|right)-radius\b", "physical corner radius"),
    (r"(?<![\w-])(?:width|height|min-width|min-height|max-width|max-height)\s*:", "width/height (use inline-size/block-size)"),
    (r"(?<![\w-])(?:margin|padding|border)-(?:top|bottom)\b", "top/bottom (use block-start/end)"),
]


def css_declarations(text):
    """The stylesheet without comments and without @media/@page preludes (media queries say min-width)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"@(?:media|page|supports)[^{]*\{", "{", text)


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=rel)
def test_stylesheets_use_logical_properties(stylesheet):
    """So [dir=rtl] pages mirror without a second stylesheet."""
    text = css_declarations(stylesheet.read_text(encoding="utf-8"))
    problems = []
    for pattern, what in PHYSICAL:
        for match in re.finditer(pattern, text):
            line = text[: match.start()].count("\n") + 1
            problems.append(f"{what}: {match.group(0)!r} near line {line}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=rel)
def test_stylesheets_load_nothing_from_elsewhere(stylesheet):
    text = stylesheet.read_text(encoding="utf-8")
    assert "@import" not in text
    for url in re.findall(r"url\(\s*[\"']?([^\"')]+)", text):
        assert url.startswith("data:") or not re.match(r"(?:https?:)?//", url), url


@pytest.mark.parametrize("script", SCRIPTS, ids=rel)
def test_scripts_load_nothing_from_elsewhere(script):
    text = script.read_text(encoding="utf-8")
    assert not re.search(r"[\"'](?:https?:)?//(?!www\.w3\.org/2000/svg)", text)


def test_every_icon_used_exists_in_the_sprite():
    symbols = set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text(encoding="utf-8")))
    missing = {}
    for template in TEMPLATES:
        for name in re.findall(r"""\bicon\(\s*["']([\w-]+)["']""", template.read_text(encoding="utf-8")):
            if name not in symbols:
                missing.setdefault(name, []).append(rel(template))
    assert not missing, f"icons missing from static/icons.svg: {missing}"


def test_welcome_features_have_icons():
    """Feature tags show icon(key): every welcome feature needs a symbol of that name."""
    from centres.vocabulary import WELCOME_FEATURES

    symbols = set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text(encoding="utf-8")))
    assert set(WELCOME_FEATURES) <= symbols, set(WELCOME_FEATURES) - symbols
