"""A programme's image and its partners' logos (#19): uploaded by coordinators only, re-encoded without
metadata, shown with their text per language on the page and in the API, served by the app and cached."""

import io
import re

import pytest
from booking_support import booking_world_fixture, login, text_of  # noqa: F401
from PIL import Image
from sqlalchemy import func, select

from accounts.models import User
from extensions import db
from programmes.images import ProgrammeImage
from programmes.models import ACCEPTED, INVITED, Programme, ProgrammePartner


@pytest.fixture
def programme(booking_world, make_user):
    world = booking_world
    alliance = Programme(slug="buendnis", kind="alliance", name={"de": "Bündnis", "en": "Alliance"})
    alliance.coordinators = [make_user("member", email="coord@example.org")]
    other = Programme(slug="fest", kind="festival", name={"de": "Fest"})
    other.coordinators = [make_user("member", email="coord2@example.org")]
    db.session.add_all([alliance, other])
    db.session.add(ProgrammePartner(programme=alliance, association=world.association, status=ACCEPTED))
    db.session.add(ProgrammePartner(programme=alliance, association=world.other_association, status=INVITED))
    db.session.commit()
    return alliance


def photo(width=2000, height=1000, fmt="JPEG", mode="RGB") -> bytes:
    """A picture as a phone would send it: EXIF with a GPS position and the camera turned (orientation 6)."""
    picture = Image.new(mode, (width, height), (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: to be shown turned by 90°
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS
    out = io.BytesIO()
    picture.save(out, fmt, **({"exif": exif} if fmt == "JPEG" else {}))
    return out.getvalue()


def upload(client, data: bytes, name="photo.jpg", **fields):
    body = {"image": (io.BytesIO(data), name), "alt-en": "Children dancing", "alt-de": "Tanzende Kinder", **fields}
    return client.post("/en/programmes/buendnis/image", data=body, content_type="multipart/form-data")


def stored() -> int:
    return db.session.scalar(select(func.count(ProgrammeImage.id)))


def image_url(page: str) -> str:
    return re.search(r'src="(/media/programmes/[^"]+)"', page).group(1)


def test_a_coordinator_uploads_the_image_without_its_metadata(client, programme):
    login(client, programme.coordinators[0])
    answer = upload(client, photo())
    assert answer.status_code == 302
    db.session.expire_all()
    image = db.session.get(Programme, programme.id).image
    assert (image.extension, image.width, image.height) == ("jpg", 800, 1600)  # turned upright, at most 1600 px
    client.post("/en/logout")
    page = client.get("/en/programmes/buendnis/").get_data(as_text=True)
    assert 'alt="Children dancing"' in page and 'width="800" height="1600"' in page
    assert 'alt="Tanzende Kinder"' in client.get("/de/programmes/buendnis/").get_data(as_text=True)
    assert 'alt="Tanzende Kinder"' in client.get("/tr/programmes/buendnis/").get_data(as_text=True)  # its language
    served = client.get(image_url(page))
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in served.headers["Cache-Control"]
    with Image.open(io.BytesIO(served.data)) as picture:
        assert picture.size == (800, 1600) and len(picture.getexif()) == 0  # no GPS position, no camera
    assert client.get(image_url(page), headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    api = client.get("/api/v1/programmes/buendnis?lang=de").get_json()["image"]
    assert api["alt"] == "Tanzende Kinder" and api["url"].endswith(image_url(page)) and api["width"] == 800


@pytest.mark.parametrize("case", ["no text", "not an image", "svg", "too large", "no file"])
def test_a_refused_upload_says_why_and_changes_nothing(client, programme, case):
    login(client, programme.coordinators[0])
    data, name, fields = photo(), "photo.jpg", {}
    if case == "no text":
        fields = {"alt-en": "", "alt-de": ""}
    elif case == "not an image":
        data, name = b"MZ\x90\x00 this is a program, not a picture" * 10, "photo.png"
    elif case == "svg":
        data, name = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"
    elif case == "too large":
        data = photo(1800, 1800, "PNG")[:8] + bytes(1600 * 1024)
    answer = upload(client, b"" if case == "no file" else data, name, **fields)
    assert answer.status_code == 400
    message = {"no text": "what the image shows", "not an image": "not an image we can read",
               "svg": "not an image we can read", "too large": "larger than 1.5 MB",
               "no file": "Please choose an image file"}[case]
    assert message in text_of(answer)
    assert stored() == 0 and db.session.get(Programme, programme.id).image is None


def test_transparency_stays_png_and_a_replaced_image_is_gone(client, programme):
    login(client, programme.coordinators[0])
    assert upload(client, photo(300, 200, "PNG", "RGBA"), "logo.png").status_code == 302
    db.session.expire_all()
    first = db.session.get(Programme, programme.id).image
    first_url = f"/media/programmes/{first.filename}"
    assert first.extension == "png" and client.get(first_url).headers["Content-Type"] == "image/png"
    assert upload(client, photo(400, 300)).status_code == 302
    db.session.expire_all()
    assert stored() == 1 and client.get(first_url).status_code == 404
    # the text alone can change; then the image goes
    body = {"alt-en": "A street festival", "csrf_token": ""}
    assert client.post("/en/programmes/buendnis/image", data=body).status_code == 302
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).image_alt == {"en": "A street festival"}
    assert client.post("/en/programmes/buendnis/image", data={"remove": "y"}).status_code == 302
    db.session.expire_all()
    assert stored() == 0 and db.session.get(Programme, programme.id).image is None
    assert client.get("/media/programmes/1-0000000000000000.jpg").status_code == 404


def test_only_coordinators_and_admins_upload(client, booking_world, programme, make_user):
    world = booking_world
    admin = make_user("admin", email="admin2@example.org")
    other_coordinator = User.by_email("coord2@example.org")
    for who, status in ((None, 302), (world.member, 403), (other_coordinator, 403), (world.manager, 403)):
        client.post("/en/logout")
        if who is not None:
            login(client, who)
        answer = upload(client, photo(40, 40))
        assert answer.status_code == status, who
        if status == 302:
            assert "/login" in answer.headers["Location"]
    assert stored() == 0
    client.post("/en/logout")
    login(client, admin)
    assert upload(client, photo(40, 40)).status_code == 302 and stored() == 1


def test_partner_logos(client, booking_world, programme):
    world = booking_world
    accepted = db.session.scalar(select(ProgrammePartner).where(ProgrammePartner.association_id == world.association.id))
    invited = db.session.scalar(select(ProgrammePartner).where(ProgrammePartner.status == INVITED))
    login(client, programme.coordinators[0])
    manage = client.get("/en/programmes/buendnis/manage").get_data(as_text=True)
    assert f'name="partner{accepted.id}-logo"' in manage and f'name="partner{invited.id}-logo"' not in manage

    def send(link, data, **fields):
        body = {f"partner{link.id}-logo": (io.BytesIO(data), "logo.png"), **fields}
        return client.post(f"/en/programmes/buendnis/partners/{link.id}/logo", data=body,
                           content_type="multipart/form-data")

    assert send(invited, photo(200, 100, "PNG", "RGBA")).status_code == 404  # not (yet) a partner
    assert send(accepted, b"not an image").status_code == 400
    assert send(accepted, photo(200, 100, "PNG", "RGBA")).status_code == 302
    client.post("/en/logout")
    page = client.get("/en/programmes/buendnis/").get_data(as_text=True)
    assert re.search(r'<img src="/media/programmes/[^"]+\.png" alt="Sprachbrücke"', page)  # its name, without a text
    partner = client.get("/api/v1/programmes/buendnis").get_json()["partners"][0]
    assert partner["logo"]["alt"] == "Sprachbrücke" and partner["logo"]["url"].endswith(".png")
    login(client, world.member)  # the association itself is no coordinator
    assert send(accepted, photo(200, 100, "PNG", "RGBA"), **{f"partner{accepted.id}-alt-en": "x"}).status_code == 403


def test_a_removed_partner_takes_its_logo_along(client, booking_world, programme):
    world = booking_world
    link = db.session.scalar(select(ProgrammePartner).where(ProgrammePartner.association_id == world.association.id))
    login(client, programme.coordinators[0])
    body = {f"partner{link.id}-logo": (io.BytesIO(photo(100, 100)), "logo.jpg")}
    assert client.post(f"/en/programmes/buendnis/partners/{link.id}/logo", data=body,
                       content_type="multipart/form-data").status_code == 302
    assert stored() == 1
    assert client.post(f"/en/programmes/buendnis/partners/{link.id}/remove").status_code == 302
    assert stored() == 0
