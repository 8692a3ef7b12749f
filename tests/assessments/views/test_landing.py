import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["How closely do business and IT work together?", "Join with a code"]),
        ("de", ["Wie eng arbeiten Fachbereiche und IT zusammen?", "Mit Code teilnehmen"]),
    ],
)
def test_visitor_sees_what_the_product_does_sign_in_and_workshop_join(client, lang, texts):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    assert response.status_code == 200
    for text in texts:
        assert text in html
    assert f'href="{reverse("login")}"' in html
    assert f'href="{reverse("workshop_join_form")}"' in html


def test_signed_in_person_gets_the_start_page(client, personas):
    client.force_login(personas.users["owner"])
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Join with a code" not in html
    assert "Organisation A" in html


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Page not found"), ("de", "Seite nicht gefunden")]
)
def test_404_is_styled_and_keeps_its_status_with_debug_off(settings, personas, lang, title):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(personas.users["owner"])
    # Another organisation's assessment, through its own URL: not found for this person.
    response = client.get(
        reverse("assessment", kwargs={"org_slug": "org-b", "pk": personas.assessment_b.pk}),
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<h1 class="h3 mb-3">{title}</h1>' in html
    assert "compass.css" in html  # the site's layout, not Django's bare page


@pytest.mark.parametrize(("lang", "title"), [("en", "Access denied"), ("de", "Zugriff verweigert")])
def test_403_is_styled_and_keeps_its_status_with_debug_off(settings, personas, lang, title):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(personas.users["viewer"])
    response = client.get(
        reverse("members", kwargs={"org_slug": personas.org_a.slug}), HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert f'<h1 class="h3 mb-3">{title}</h1>' in html
    assert "compass.css" in html
