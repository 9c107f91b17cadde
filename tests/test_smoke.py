def test_root_redirects_by_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "tr,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tr/")


def test_root_defaults_to_german(client):
    assert client.get("/").headers["Location"].endswith("/de/")


def test_arabic_page_is_right_to_left(client, make_centre):
    make_centre()
    html = client.get("/ar/centres/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
