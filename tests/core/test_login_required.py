import pytest

from tests.urlwalk import all_urls

# Open to anyone: signing in, health checks for the load balancer, switching language, the admin's own login,
# the secret-address calendar feed (calendar programs cannot log in; an unknown address is a 404), and the
# published lesson notes, so that the knowledge travels, and the privacy notice.
OPEN = {
    "accounts:login",
    "healthz",
    "set_language",
    "admin:login",
    "forums:calendar_feed",
    "lessons:note_list",
    "lessons:note_detail",
    "lessons:feed",
    "lessons:search",
    "lessons:knowledge_assets",
    "privacy",
    # Invitees without an account, calendar programs, open-data harvesters and partner systems (with their own
    # bearer token): tests/security/access_table.py says what each answers.
    "public:invitee_reply",
    "public:invitee_calendar",
    "public:circle_feed",
    "public:tambon_feed",
    "open_data:index",
    "open_data:catalog",
}
# The whole API is open to the portal's login middleware; the partner endpoints check a token themselves.
OPEN_PREFIXES = ("api:",)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "path"), [u for u in all_urls() if u[0] not in OPEN and not u[0].startswith(OPEN_PREFIXES)]
)
def test_anonymous_visitor_is_sent_to_login(client, name, path):
    response = client.get(path)
    assert response.status_code == 302, f"{name} {path} answered {response.status_code}"
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_the_open_pages_answer_without_login(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}).status_code == 302
    assert client.get("/forums/calendar/not-a-token.ics").status_code == 404
    for path in ("/lessons/", "/lessons/feed/", "/lessons/search/?q=x", "/lessons/assets/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/lessons/no-such-note/").status_code == 404


def test_every_pattern_is_either_open_or_walked():
    names = {name for name, _path in all_urls()}
    assert names >= OPEN
    assert "home" in names and "agencies:person_list" in names
