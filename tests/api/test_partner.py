"""The partner API: per-agency tokens (hash only, revocable), scoped to the agency's sessions, marks through
forums.services.save_marks with its version check."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from agencies.models import Organization
from api.models import ApiToken, hash_token
from forums.models import Attendance


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def marks_url(code):
    return f"/api/v1/partner/sessions/{code}/marks"


@pytest.fixture
def next_session(program):
    return program["sessions"][-1]  # planned, organized by CDD


def test_only_a_hash_of_the_token_is_stored(cdd_token):
    token, raw = cdd_token
    token.refresh_from_db()
    assert raw not in {token.token_hash, token.hint} and token.token_hash == hash_token(raw)
    assert ApiToken.authenticate(raw) == token


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/partner/sessions", "/api/v1/partner/sessions/F-API-0/invitations"])
def test_a_missing_wrong_or_revoked_token_is_refused(client, program, cdd_token, path):
    token, raw = cdd_token
    assert client.get(path).status_code == 401
    assert client.get(path, **bearer("kmp_not-a-token")).status_code == 401
    assert client.get(path, **bearer(raw)).status_code == 200
    token.revoke()
    assert client.get(path, **bearer(raw)).status_code == 401


def test_a_token_sees_only_its_agencys_sessions(client, program, cdd_token):
    _token, raw = cdd_token
    codes = [s["code"] for s in client.get("/api/v1/partner/sessions", **bearer(raw)).json()["items"]]
    assert codes == ["F-API-0", "F-API-2", "F-API-NEXT"]  # F-API-1 is WU's
    assert client.get("/api/v1/partner/sessions/F-API-1/invitations", **bearer(raw)).status_code == 404
    body = {"marks": [{"attendance_id": 1, "status": "present", "version": 1}]}
    response = client.post(marks_url("F-API-1"), body, content_type="application/json", **bearer(raw))
    assert response.status_code == 404


def test_a_partner_records_a_mark_and_a_stale_one_is_a_conflict(client, next_session, cdd_token):
    _token, raw = cdd_token
    rows = client.get(f"/api/v1/partner/sessions/{next_session.code}/invitations", **bearer(raw)).json()[
        "items"
    ]
    first = rows[0]
    body = {
        "marks": [{"attendance_id": first["attendance_id"], "status": "late", "version": first["version"]}]
    }

    response = client.post(marks_url(next_session.code), body, content_type="application/json", **bearer(raw))

    assert response.status_code == 200
    saved = response.json()["saved"]
    assert [(r["attendance_id"], r["status"]) for r in saved] == [(first["attendance_id"], "late")]
    row = Attendance.objects.get(pk=first["attendance_id"])
    assert row.status == "late" and row.version == first["version"] + 1
    assert row.history.first().status == "late"

    # The same mark again (a resend) changes nothing; another on the old version is a conflict.
    again = client.post(marks_url(next_session.code), body, content_type="application/json", **bearer(raw))
    assert again.json()["unchanged"] == 1
    stale = {"marks": [{"attendance_id": row.pk, "status": "absent", "version": first["version"]}]}
    conflict = client.post(
        marks_url(next_session.code), stale, content_type="application/json", **bearer(raw)
    )
    assert conflict.json()["conflicts"][0]["current_status"] == "late"
    row.refresh_from_db()
    assert row.status == "late"


def test_a_mark_that_breaks_a_rule_is_refused_whole(client, next_session, cdd_token):
    _token, raw = cdd_token
    rows = list(next_session.attendances.order_by("pk"))
    body = {
        "marks": [
            {"attendance_id": rows[0].pk, "status": "present", "version": rows[0].version},
            {"attendance_id": rows[1].pk, "status": "represented", "version": rows[1].version},
        ]
    }
    response = client.post(marks_url(next_session.code), body, content_type="application/json", **bearer(raw))
    assert response.status_code == 400
    assert not next_session.attendances.exclude(status="").exists()


def test_a_revoked_token_cannot_record_a_mark(client, next_session, cdd_token):
    token, raw = cdd_token
    token.revoke()
    row = next_session.attendances.first()
    body = {"marks": [{"attendance_id": row.pk, "status": "present", "version": row.version}]}
    response = client.post(marks_url(next_session.code), body, content_type="application/json", **bearer(raw))
    assert response.status_code == 401
    row.refresh_from_db()
    assert row.status == ""


def test_administrators_issue_and_revoke_tokens_in_the_admin(admin_client_portal, db):
    cdd = Organization.objects.get(code="CDD")
    response = admin_client_portal.post(
        reverse("admin:api_apitoken_add"), {"organization": cdd.pk, "name": "ระบบของ พช."}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for m in shown for word in m.split() if word.startswith("kmp_"))
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert token.created_by is not None

    admin_client_portal.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None and ApiToken.authenticate(raw) is None
    # Kept on record: administrators cannot delete tokens.
    assert not site._registry[ApiToken].has_delete_permission(response.wsgi_request)


@pytest.mark.parametrize("count", [1, 50])
def test_the_invitation_list_runs_in_a_fixed_number_of_queries(
    client, next_session, cdd_token, count, django_assert_num_queries
):
    from forums import services
    from tests.factories import make_person

    services.invite(next_session, [make_person("CDD") for _ in range(count)])
    _token, raw = cdd_token
    # token, last-used stamp, session, rows
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/partner/sessions/{next_session.code}/invitations", **bearer(raw))
    assert response.json()["count"] == 3 + count
