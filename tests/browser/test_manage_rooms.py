"""A centre manager signs in and edits a room (issue 2, part 9)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def nordstadt(make_centre, make_room, make_user):
    centre = make_centre(slug="nordstadt", name={"de": "Stadtteilzentrum Nordstadt", "en": "Nordstadt Centre"})
    other = make_centre(slug="linden", name={"de": "Kulturtreff Linden", "en": "Linden Culture House"})
    hall = make_room(centre, name="Großer Saal", capacity=120, equipment=["projector"], barrier_free=True)
    make_room(other, name="Bühne")
    manager = make_user(role="manager", email="manager@example.org", name="Martin Nord", centres=[centre])
    return {"centre": centre, "hall": hall, "manager": manager}


def sign_in(page, axe, email, password=PASSWORD):
    """Sign in through the form; ``axe=None`` for pages without JavaScript (axe needs it)."""
    page.goto("/en/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    if axe:
        axe(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed in.")


def test_manager_signs_in_and_edits_a_room(page, axe, nordstadt, db):
    sign_in(page, axe, "manager@example.org")
    axe(page)  # the account page

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Manage").click()
    expect(nav.get_by_role("link", name="Manage")).to_have_attribute("aria-current", "page")
    # Only the centre this manager manages is listed.
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Linden Culture House")).to_have_count(0)
    axe(page)
    main.get_by_role("link", name="Nordstadt Centre").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordstadt Centre")
    axe(page)

    page.get_by_role("link", name=re.compile(r"^Edit\W+Großer Saal$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit room: Großer Saal")
    axe(page)

    form = page.locator("main form")
    form.get_by_label("Capacity (people)").fill("45")
    form.get_by_label("Whiteboard").check()
    form.get_by_label("Projector").uncheck()
    description = form.get_by_role("group", name="Description")
    description.get_by_role("tab", name="English").click()
    description.get_by_label("Description (English)").fill("Our big hall with a stage.")
    form.get_by_role("button", name="Save room").click()

    expect(page.get_by_role("status")).to_contain_text("The room Großer Saal is saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nordstadt Centre")
    row = page.get_by_role("row", name=re.compile("Großer Saal"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("45")
    axe(page)

    # What residents see now.
    page.goto("/en/centres/nordstadt/")
    rooms = page.get_by_role("region", name="Rooms")
    room = rooms.get_by_role("article").filter(has=page.get_by_role("heading", name="Großer Saal"))
    expect(room).to_contain_text("45 people")
    expect(room).to_contain_text("Whiteboard")
    expect(room).not_to_contain_text("Projector")
    expect(room).to_contain_text("Our big hall with a stage.")

    hall = nordstadt["hall"]
    db.session.refresh(hall)
    assert hall.capacity == 45
    assert hall.equipment == ["whiteboard"]


def test_bad_room_input_is_explained_and_changes_nothing(page, axe, nordstadt, db):
    sign_in(page, axe, "manager@example.org")
    hall = nordstadt["hall"]
    page.goto(f"/en/manage/centres/nordstadt/rooms/{hall.id}/edit")
    capacity = page.get_by_label("Capacity (people)")
    capacity.fill("0")
    page.get_by_role("button", name="Save room").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the marked fields.")
    capacity = page.get_by_label("Capacity (people)")
    expect(capacity).to_have_attribute("aria-invalid", "true")
    expect(capacity).to_have_accessible_description(re.compile(r"\S"))
    axe(page)  # the form with its error messages

    db.session.refresh(hall)
    assert hall.capacity == 120


def test_manager_cannot_open_another_centres_room(page, axe, nordstadt, db, make_room):
    from centres.models import Centre

    linden = Centre.by_slug("linden")
    stage = linden.rooms[0]
    sign_in(page, axe, "manager@example.org")
    response = page.goto(f"/en/manage/centres/linden/rooms/{stage.id}/edit")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page)  # the error page


def test_text_in_several_languages_as_tabs(page, axe, nordstadt):
    sign_in(page, axe, "manager@example.org")
    hall = nordstadt["hall"]
    page.goto(f"/en/manage/centres/nordstadt/rooms/{hall.id}/edit")
    description = page.get_by_role("group", name="Description")
    tabs = description.get_by_role("tab")
    expect(tabs).to_have_count(10)
    english = description.get_by_role("tab", name="English")
    expect(english).to_have_attribute("aria-selected", "true")  # the page's language comes first
    expect(description.get_by_label("Description (English)")).to_be_visible()
    expect(description.get_by_label("Description (Deutsch)")).to_be_hidden()

    english.focus()
    page.keyboard.press("ArrowRight")
    turkish = description.get_by_role("tab", name="Türkçe")
    expect(turkish).to_be_focused()
    expect(turkish).to_have_attribute("aria-selected", "true")
    field = description.get_by_label("Description (Türkçe)")
    expect(field).to_be_visible()
    field.fill("Büyük salon")
    expect(turkish).to_have_accessible_name(re.compile("Türkçe.*filled in"))
    axe(page)


def test_text_in_several_languages_without_javascript(make_page, nordstadt):
    page = make_page(java_script_enabled=False)
    sign_in(page, None, "manager@example.org")
    hall = nordstadt["hall"]
    page.goto(f"/en/manage/centres/nordstadt/rooms/{hall.id}/edit")
    description = page.get_by_role("group", name="Description")
    expect(description.get_by_role("tab")).to_have_count(0)
    turkish = description.get_by_label("Description (Türkçe)")
    expect(turkish).to_be_hidden()
    description.locator("summary").get_by_text("Türkçe", exact=True).click()  # the <details> summary
    expect(turkish).to_be_visible()
    turkish.fill("Büyük salon")
    page.get_by_role("button", name="Save room").click()
    expect(page.get_by_role("status")).to_contain_text("is saved")
    page.goto("/tr/centres/nordstadt/")
    expect(page.get_by_role("region").filter(has_text="Großer Saal").last).to_contain_text("Büyük salon")
