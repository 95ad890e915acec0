import pytest

from tests.urlwalk import all_urls

# Open to anyone: signing in, health checks for the load balancer, switching language, the admin's own login,
# the secret-address calendar feed (calendar programs cannot log in; an unknown address is a 404), and the
# published lesson notes, so that the knowledge travels, and the privacy notice; an invitee's personal link and
# self check-in (the signed code in the address is the key) and the venue's self check-in page.
OPEN = {
    "accounts:login",
    "healthz",
    "favicon",
    "set_language",
    "admin:login",
    "forums:calendar_feed",
    "lessons:note_list",
    "lessons:note_detail",
    "lessons:feed",
    "lessons:search",
    "lessons:knowledge_assets",
    # The booklet of the published lessons, and a published note's files and share card (drafts': 404).
    "lessons:knowledge_booklet",
    "lessons:attachment",
    "lessons:note_card",
    "privacy",
    # Open data: aggregate figures, the code lists and their CKAN catalogue, no personal data; the API's
    # description and its documentation page, so that a partner can build against it.
    "open_data:index",
    "open_data:catalog",
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
    "api:sessions",
    "api:sessions_csv",
    "api:agencies",
    "api:agencies_csv",
    "api:trends",
    "api:trends_csv",
    "api:tambons",
    "api:tambons_csv",
    "api:phases",
    # A circle's or a tambon's planned and held sessions as a calendar feed, for partner agencies; no names.
    "public:circle_feed",
    "public:tambon_feed",
    # The check-in's web app manifest and service worker: the phone fetches them itself; neither holds data.
    "forums:checkin_manifest",
    "forums:checkin_service_worker",
    # The personal link printed on the first slips: a permanent redirect to the personal page, which checks the code.
    "forums:old_personal_link",
}

# Open to whoever holds a personal code or a venue code (an invitee has no account): the personal page, its
# calendar file and its self check-in, the venue page. An unknown code is a 404, the same for every code, with no
# hint of whose it is. Each with the method it answers.
OPEN_WITH_A_CODE = {
    "public:invitee_reply": "get",
    "public:invitee_calendar": "get",
    "public:invitee_checkin": "post",
    "forums:venue": "get",
}

# Read by a program, not a person: the check-in page's script (offline queue) and partner systems (bearer
# token). An anonymous request answers 401 with a JSON body the caller can act on, never the HTML login page,
# which a script would take for data.
ANSWER_401_JSON = {
    "forums:checkin_data": "get",
    "forums:checkin_sync": "post",
    "api:partner_sessions": "get",
    "api:partner_invitations": "get",
    "api:partner_marks": "post",
}
NOT_SENT_TO_LOGIN = OPEN | set(OPEN_WITH_A_CODE) | set(ANSWER_401_JSON)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in all_urls() if u[0] not in NOT_SENT_TO_LOGIN])
def test_anonymous_visitor_is_sent_to_login(client, name, path):
    response = client.get(path)
    assert response.status_code == 302, f"{name} {path} answered {response.status_code}"
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in all_urls() if u[0] in OPEN_WITH_A_CODE])
def test_an_unknown_personal_or_venue_code_is_not_found_without_login(client, name, path):
    response = getattr(client, OPEN_WITH_A_CODE[name])(path)
    assert response.status_code == 404, f"{name} {path} answered {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [u for u in all_urls() if u[0] in ANSWER_401_JSON])
def test_a_program_gets_401_json_rather_than_the_login_page(client, name, path):
    if ANSWER_401_JSON[name] == "post":
        response = client.post(path, data={"ops": []}, content_type="application/json")
    else:
        response = client.get(path)
    assert response.status_code == 401, f"{name} {path} answered {response.status_code}"
    assert response["Content-Type"].startswith("application/json")
    assert "Location" not in response
    if name.startswith("forums:"):  # the check-in page sends its user to log in again, keeping the queue
        assert "/login/" in response.json()["login_url"]


@pytest.mark.django_db
def test_the_open_pages_answer_without_login(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}).status_code == 302
    assert client.get("/forums/calendar/not-a-token.ics").status_code == 404
    for path in ("/lessons/", "/lessons/feed/", "/lessons/search/?q=x", "/lessons/assets/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/lessons/no-such-note/").status_code == 404
    for path in ("/open-data/", "/api/v1/sessions", "/forums/checkin.webmanifest", "/forums/checkin-sw.js"):
        assert client.get(path).status_code == 200, path
    assert client.get("/calendar/circle/no-such-circle.ics").status_code == 404
    assert client.get("/i/1-1-AAAAAAAAAAAAAAAA/").status_code == 404  # a forged code: not found
    assert client.get("/forums/i/1-1-AAAAAAAAAAAAAAAA/")["Location"] == "/i/1-1-AAAAAAAAAAAAAAAA/"
    assert client.get("/forums/here/1-forged/").status_code == 404


def test_every_pattern_is_either_open_or_walked():
    names = {name for name, _path in all_urls()}
    assert names >= NOT_SENT_TO_LOGIN
    assert "home" in names and "agencies:person_list" in names
