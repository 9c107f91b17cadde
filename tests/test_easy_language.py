"""The Leichte Sprache page follows the rules a program can check (BITV 2.0 Anlage 2 Teil 2), answers the four
questions it must, and the sign-language page says where to ask for an interpreter; both linked from every page."""

import pytest
from flask_babel import force_locale

from accessibility.rules import as_text, sentence_problems
from accessibility.texts import EASY_LANGUAGE

SENTENCES = [sentence for _heading, sentences in EASY_LANGUAGE["de"] for sentence in sentences]
HEADINGS = [heading for heading, _sentences in EASY_LANGUAGE["de"]]


@pytest.mark.parametrize("sentence", SENTENCES + HEADINGS)
def test_each_sentence_keeps_the_rules(app, sentence):
    """Short (at most 12 words), one statement, no abbreviation, genitive, subjunctive, passive or semicolon,
    long compounds split with a hyphen."""
    with force_locale("en"):
        assert sentence_problems(sentence) == []
    assert sentence[-1] in ".?!:" or sentence in HEADINGS, sentence


@pytest.mark.parametrize(("sentence", "rule"), [
    ("Sie können dort zusammen mit vielen anderen Menschen aus dem ganzen Stadtteil feiern.", "more than 12 words"),
    ("Das Haus ist z. B. offen.", "an abbreviation"),
    ("Das ist das Haus des Vereins.", "a genitive"),
    ("Sie könnten dort Deutsch lernen.", "a subjunctive"),
    ("Die Räume werden vermietet.", "the passive"),
    ("Es gibt Kurse; es gibt Beratung.", "a semicolon"),
    ("Im Stadtteilzentrum gibt es Kaffee.", "long word without a hyphen: Stadtteilzentrum"),
    ("Es gibt Kurse, Beratung, Sport.", "more than one statement"),
])
def test_the_rules_find_what_breaks_them(app, sentence, rule):
    with force_locale("en"):
        assert rule in sentence_problems(sentence)


def test_the_reader_is_addressed_personally():
    assert sum("Sie " in sentence or sentence.startswith("Sie") for sentence in SENTENCES) >= 8


def test_the_four_required_explanations():
    assert len(EASY_LANGUAGE["de"]) == 4
    text = " ".join(SENTENCES)
    for topic in ("Termine", "Link", "barriere-frei", "Gebärden-Sprache"):
        assert topic in text, topic


@pytest.mark.parametrize("lang", ["de", "en", "ar"])
def test_both_pages_are_linked_from_every_page(client, lang, make_centre):
    make_centre(slug="nord", features=["sign_language"], contact_email="nord@example.org")
    home = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'href="/{lang}/easy-language"' in home and f'href="/{lang}/sign-language"' in home
    page = client.get(f"/{lang}/easy-language").get_data(as_text=True)
    assert 'lang="de"' in page and "Stadtteil-Zentrum ist ein Haus für alle Menschen." in page
    sign = client.get(f"/{lang}/sign-language")
    assert sign.status_code == 200 and "nord@example.org" in sign.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("member", 403), ("manager", 403), ("admin", 200)])
def test_only_admins_manage_the_videos(client, auth, make_user, make_centre, role, status):
    if role:
        centre = make_centre()
        auth.login(make_user(role, centres=[centre] if role == "manager" else []))
    assert client.get("/de/manage/sign-language").status_code == status


def test_a_video_and_its_captions_are_served_and_removed(client, auth, make_user, app, db):
    from pathlib import Path

    from accessibility.models import SignLanguageVideo

    auth.login(make_user("admin"))
    video = SignLanguageVideo(title={"de": "Willkommen"}, mime_type="video/webm",
                              captions="WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n", transcript={})
    db.session.add(video)
    db.session.commit()
    folder = Path(app.config["MEDIA_FOLDER"]) / "sign-language"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / video.filename).write_bytes(b"\x1a\x45\xdf\xa3 webm")
    assert client.get(f"/media/sign-language/{video.id}.webm").data.startswith(b"\x1a\x45\xdf\xa3")
    assert client.get(f"/media/sign-language/{video.id}.mp4").status_code == 404
    captions = client.get(f"/media/sign-language/{video.id}.vtt")
    assert captions.mimetype == "text/vtt" and captions.get_data(as_text=True).startswith("WEBVTT")
    assert client.post(f"/de/manage/sign-language/{video.id}/delete").status_code == 302
    assert not (folder / video.filename).exists() and db.session.get(SignLanguageVideo, video.id) is None
    assert client.get(f"/media/sign-language/{video.id}.vtt").status_code == 404


def test_admins_edit_the_text_under_the_same_rules(client, auth, make_user):
    auth.login(make_user("admin"))
    form = client.get("/en/manage/easy-language").get_data(as_text=True)
    assert "Stadtteil-Zentrum ist ein Haus für alle Menschen." in form  # the shipped text to start from
    bad = as_text([("Neu", ["Die Räume werden an Vereine vermietet."])])
    refused = client.post("/en/manage/easy-language", data={"text-de": bad})
    assert refused.status_code == 400 and "the passive" in refused.get_data(as_text=True)
    good = as_text([("Neu hier?", ["Wir helfen Ihnen gern.", "Kommen Sie vorbei."])])
    assert client.post("/en/manage/easy-language", data={"text-de": good}).status_code == 302
    page = client.get("/de/easy-language").get_data(as_text=True)
    assert "Wir helfen Ihnen gern." in page and "Stadtteil-Zentrum ist ein Haus" not in page


def test_only_admins_edit_the_text(client, auth, make_user):
    auth.login(make_user("member"))
    assert client.get("/de/manage/easy-language").status_code == 403
    assert client.post("/de/manage/easy-language", data={"text-de": "Neu\nText."}).status_code == 403
