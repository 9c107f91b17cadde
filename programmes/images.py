"""Images a programme's coordinators upload: the programme's picture and its partners' logos.

Kept in the database (every worker and every backup has them, nothing to share between servers) and served by
the app (no third-party requests). An upload is read with Pillow, turned upright, shrunk to at most
``MAX_SIDE`` pixels and written anew — PNG when it has transparency, else JPEG — so what is served is an
image we wrote: no metadata (a phone photo's GPS position stays out), no scripts (SVG is not taken), no
decompression bomb (at most ``MAX_PIXELS`` pixels are decoded).
"""

import hashlib
import io
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from timeutil import utcnow

MAX_BYTES = 1536 * 1024  # below the request limit (MAX_CONTENT_LENGTH, 2 MiB) with room for the form
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
TYPES = {"png": "image/png", "jpg": "image/jpeg"}


class ImageError(ValueError):
    """An upload that is not an image we take; the message is translated."""


class ProgrammeImage(db.Model):
    __tablename__ = "programme_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    extension: Mapped[str] = mapped_column(String(4))  # png or jpg
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(16))  # of the bytes: part of the address, so it can be cached forever
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def content_type(self) -> str:
        return TYPES[self.extension]

    @property
    def filename(self) -> str:
        return f"{self.id}-{self.digest}.{self.extension}"


def _decode(raw: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format not in FORMATS:
                raise ImageError(_("Please upload a PNG, JPEG, WebP or GIF image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageError(_("The image has too many pixels; please upload a smaller one."))
            probe.load()
            picture = ImageOps.exif_transpose(probe)
            picture.load()
            return picture
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageError(_("This file is not an image we can read. Please upload a PNG or JPEG file.")) from error


def read(upload) -> ProgrammeImage:
    """A new image from an uploaded file (werkzeug FileStorage), not yet added to the session.

    Raises ImageError with the reason for the person uploading."""
    raw = upload.stream.read(MAX_BYTES + 1) if upload is not None else b""
    if not raw:
        raise ImageError(_("Please choose an image file."))
    if len(raw) > MAX_BYTES:
        raise ImageError(_("The image is larger than %(size)s MB; please upload a smaller one.", size="1.5"))
    picture = _decode(raw)
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    picture = picture.convert("RGBA" if transparent else "RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if transparent:
        picture.save(out, "PNG", optimize=True)
    else:
        picture.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    data = out.getvalue()
    return ProgrammeImage(data=data, extension="png" if transparent else "jpg", width=picture.width,
                          height=picture.height, digest=hashlib.sha256(data).hexdigest()[:16])


def replace(old: ProgrammeImage | None, new: ProgrammeImage | None) -> ProgrammeImage | None:
    """Swap an image for another (or none): the old one's row goes."""
    if old is not None and old is not new:
        db.session.delete(old)
    if new is not None:
        db.session.add(new)
    return new
