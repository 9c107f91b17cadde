"""The upload form for a sign-language video: the video, its WebVTT captions, a title and a transcript."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField
from wtforms.validators import ValidationError

from accessibility.models import VIDEO_TYPES
from accessibility.rules import check_easy_language
from formkit import TranslatedTextField

MAX_CAPTIONS = 200_000  # bytes of WebVTT


def video_type(head: bytes) -> str | None:
    """The video's type by its first bytes (not by its name): WebM (EBML) or MP4 (an ISO 'ftyp' box)."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


class SignLanguageVideoForm(FlaskForm):
    title = TranslatedTextField(_l("Title"), required_any=True, max_length=200)
    video = FileField(_l("Video (WebM or MP4)"), validators=[FileRequired(_l("Please choose a video file."))])
    captions = FileField(_l("Captions (WebVTT)"), validators=[FileRequired(_l("Please choose a captions file."))],
                         description=_l("A .vtt file with the spoken or signed text, for people who cannot see the "
                                        "signs or prefer to read."))
    transcript = TranslatedTextField(_l("Transcript"), multiline=True, max_length=20_000)
    submit = SubmitField(_l("Upload"))

    def validate_video(self, field):
        head = field.data.stream.read(16)
        field.data.stream.seek(0)
        self.video_type = video_type(head)
        if self.video_type not in VIDEO_TYPES:
            raise ValidationError(_l("Please upload a WebM or MP4 video."))

    def validate_captions(self, field):
        raw = field.data.stream.read(MAX_CAPTIONS + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
        if len(raw) > MAX_CAPTIONS or not text.startswith("WEBVTT") or "-->" not in text:
            raise ValidationError(_l("Please upload captions as a WebVTT file (it begins with WEBVTT)."))
        self.captions_text = text


class EasyLanguageForm(FlaskForm):
    text = TranslatedTextField(
        _l("Text in easy language"), multiline=True, required_any=True, max_length=20_000,
        description=_l("Sections separated by an empty line: the first line is the heading, then one sentence a "
                       "line. The German text must keep the rules of Leichte Sprache."))
    submit = SubmitField(_l("Save"))

    def validate_text(self, field):
        german = (field.data or {}).get("de")
        problems = check_easy_language(german) if german else []
        if problems:
            raise ValidationError(" ".join(problems[:5]))
