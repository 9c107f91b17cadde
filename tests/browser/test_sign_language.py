"""An admin uploads a sign-language video with captions; residents play it on the sign-language page, served by
the app itself, with the captions showing."""

import base64

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CAPTIONS = """WEBVTT

00:00.000 --> 00:01.500
Willkommen in den Stadtteil-Zentren.
"""

# A short WebM made by the browser itself: a canvas recorded with MediaRecorder (VP8), 1.5 seconds.
RECORD = """async () => {
  const canvas = document.createElement('canvas'); canvas.width = 160; canvas.height = 120;
  const ctx = canvas.getContext('2d');
  const stream = canvas.captureStream(25);
  const recorder = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8'});
  const chunks = [];
  recorder.ondataavailable = e => chunks.push(e.data);
  const done = new Promise(resolve => recorder.onstop = resolve);
  recorder.start(100);
  const start = performance.now();
  await new Promise(resolve => { (function draw() {
    const t = performance.now() - start;
    ctx.fillStyle = `hsl(${t / 10 % 360}, 60%, 50%)`; ctx.fillRect(0, 0, 160, 120);
    if (t < 1500) requestAnimationFrame(draw); else resolve(); })(); });
  recorder.stop(); await done;
  const bytes = new Uint8Array(await new Blob(chunks, {type: 'video/webm'}).arrayBuffer());
  let text = ''; for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""


def test_an_uploaded_video_plays_with_captions(make_page, make_user, make_centre):
    make_user("admin", email="admin@example.org")
    make_centre(slug="nord", features=["sign_language"])
    admin = make_page()
    admin.goto("/de/login")
    admin.locator("#email").fill("admin@example.org")
    admin.locator("#password").fill(PASSWORD)
    admin.locator("main form [type=submit]").click()
    admin.wait_for_url(lambda url: "/login" not in url)

    admin.goto("/de/manage/sign-language")
    video = base64.b64decode(admin.evaluate(RECORD))
    assert video.startswith(b"\x1a\x45\xdf\xa3"), "a WebM file"

    # Not a video: refused with a message, nothing stored.
    admin.locator("#title-de").fill("Willkommen")
    admin.locator("#video").set_input_files(files=[{"name": "x.webm", "mimeType": "video/webm", "buffer": b"no video"}])
    admin.locator("#captions").set_input_files(
        files=[{"name": "x.vtt", "mimeType": "text/vtt", "buffer": CAPTIONS.encode()}])
    admin.locator("main form[enctype] [type=submit]").click()
    expect(admin.locator("[data-error-summary]")).to_contain_text("WebM")

    admin.locator("#title-de").fill("Willkommen")
    admin.locator("#video").set_input_files(files=[{"name": "willkommen.webm", "mimeType": "video/webm",
                                                    "buffer": video}])
    admin.locator("#captions").set_input_files(
        files=[{"name": "willkommen.vtt", "mimeType": "text/vtt", "buffer": CAPTIONS.encode()}])
    admin.locator("main form[enctype] [type=submit]").click()
    expect(admin.locator(".flash-success")).to_be_visible()

    resident = make_page()
    resident.goto("/ar/sign-language")
    player = resident.locator("video")
    expect(player).to_have_count(1)
    assert player.locator("source").get_attribute("src").startswith("/media/sign-language/")
    state = player.evaluate("""async video => {
      const track = video.textTracks[0];
      track.mode = 'showing';
      if (video.readyState < 1) await new Promise(r => video.addEventListener('loadedmetadata', r, {once: true}));
      video.muted = true;
      await video.play();
      await new Promise(r => setTimeout(r, 600));
      return {playing: video.currentTime > 0, kind: track.kind, lang: track.language,
              cues: track.cues ? track.cues.length : 0,
              text: track.cues && track.cues.length ? track.cues[0].text : ''};
    }""")
    assert state == {"playing": True, "kind": "captions", "lang": "de", "cues": 1,
                     "text": "Willkommen in den Stadtteil-Zentren."}
    range_answer = resident.request.get(player.locator("source").get_attribute("src"),
                                        headers={"Range": "bytes=0-3"})
    assert range_answer.status == 206 and range_answer.body() == b"\x1a\x45\xdf\xa3"  # players can seek
