"""Sessions and attendance have one write path, forums.services: the portal's pages, the admin and imports all
go through it, so the version check holds and the turnout follows without a signal."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup

from agencies.models import KmRole
from forums import services
from forums.models import AgencyTurnout, Attendance, ForumSession
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db


def turnout(session):
    return {
        (t.organization.code, t.role): (t.invitations, t.attended, t.sent_representative, t.walk_ins)
        for t in AgencyTurnout.objects.filter(session=session).select_related("organization")
    }


def form_data(response, form_id=None) -> dict:
    """Every field of the page's form as the browser would send it (checked boxes, selected options)."""
    html = BeautifulSoup(response.content, "html.parser")
    if form_id:
        form = html.select_one(f"form#{form_id}")
    else:  # the page's main form, not the navigation's log-out or language forms
        form = max(html.select("form[method=post]"), key=lambda f: len(f.select("[name]")))
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "select":
            chosen = field.select_one("option[selected]")
            data[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.text
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file"):
            data[name] = field.get("value", "")
    return data


# Services ---------------------------------------------------------------------------------------------------


def test_create_session_invites_its_circle():
    cdd = make_person("CDD", KmRole.EUA)
    make_person("CDD", KmRole.KIT)  # not of the executives' circle
    session = ForumSession(code="F-NEW-1", title="เวทีใหม่", circle="eua", date=dt.date(2026, 1, 5))
    assert services.create_session(session) == 1
    assert list(session.attendances.values_list("person", flat=True)) == [cdd.pk]
    assert session.version == 1 and turnout(session) == {("CDD", "eua"): (1, 0, 0, 0)}


def test_save_session_is_a_compare_and_set_on_the_version():
    session = make_session(title="เดิม")
    first, second = ForumSession.objects.get(pk=session.pk), ForumSession.objects.get(pk=session.pk)
    first.title = "ของคนแรก"
    services.save_session(first, seen_version=1)
    second.title = "ของคนที่สอง"
    with pytest.raises(services.StaleSession):
        services.save_session(second, seen_version=1)
    session.refresh_from_db()
    assert (session.title, session.version) == ("ของคนแรก", 2)


def test_the_edit_page_tells_the_later_of_two_editors(coordinator_client):
    session = make_session()
    data = form_data(coordinator_client.get(f"/forums/{session.code}/edit/"))
    assert data["version"] == "1"
    services.save_session(ForumSession.objects.get(pk=session.pk), seen_version=1)  # someone else, meanwhile
    data["title"] = "แก้ช้าไป"
    response = coordinator_client.post(f"/forums/{session.code}/edit/", data)
    assert response.status_code == 200 and response.context["form"].errors["__all__"]
    assert ForumSession.objects.get(pk=session.pk).title != "แก้ช้าไป"
    # A race the form cannot see (the version changes between its check and the write) is refused by the service.
    data = form_data(coordinator_client.get(f"/forums/{session.code}/edit/"))
    real_save = services.save_session

    def someone_saves_first(session, seen_version, user=None):
        real_save(ForumSession.objects.get(pk=session.pk), seen_version=seen_version)
        return real_save(session, seen_version, user)

    data["title"] = "แก้พร้อมกัน"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "save_session", someone_saves_first)
        response = coordinator_client.post(f"/forums/{session.code}/edit/", data)
    assert response.status_code == 302 and response["Location"].endswith("/edit/")
    assert ForumSession.objects.get(pk=session.pk).title != "แก้พร้อมกัน"


# The admin --------------------------------------------------------------------------------------------------


def test_admin_edit_of_a_session_goes_through_the_version_check(admin_client_portal):
    session = make_session(title="เดิม")
    url = f"/admin/forums/forumsession/{session.pk}/change/"
    data = form_data(admin_client_portal.get(url), "forumsession_form")
    assert data["seen_version"] == "1"
    data["title"] = "แก้ในหน้าผู้ดูแล"
    assert admin_client_portal.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.title, session.version) == ("แก้ในหน้าผู้ดูแล", 2)
    assert session.history.first().history_user.username.startswith("user")
    # The same page sent again carries version 1: refused, nothing written.
    data["title"] = "ทับของคนอื่น"
    response = admin_client_portal.post(url, data)
    assert response.status_code == 200
    assert ForumSession.objects.get(pk=session.pk).title == "แก้ในหน้าผู้ดูแล"


def test_admin_inline_attendance_keeps_the_turnout(admin_client_portal):
    session = make_session()
    cdd, wu = make_person("CDD", KmRole.EUA), make_person("WU", KmRole.EUA)
    services.invite(session, [cdd])
    url = f"/admin/forums/forumsession/{session.pk}/change/"
    data = form_data(admin_client_portal.get(url), "forumsession_form")
    prefix = "attendances"
    row = session.attendances.get()
    data[f"{prefix}-0-status"] = "present"
    # A new row, added in the inline.
    data.update(
        {
            f"{prefix}-1-person": str(wu.pk),
            f"{prefix}-1-invited": "on",
            f"{prefix}-1-status": "late",
            f"{prefix}-1-role": KmRole.EUA,
            f"{prefix}-1-organization": str(wu.organization_id),
            f"{prefix}-1-session": str(session.pk),
            f"{prefix}-TOTAL_FORMS": "2",
        }
    )
    response = admin_client_portal.post(url, data)
    assert response.status_code == 302, BeautifulSoup(response.content, "html.parser").select(".errorlist")
    assert turnout(session) == {("CDD", "eua"): (1, 1, 0, 0), ("WU", "eua"): (1, 1, 0, 0)}
    row.refresh_from_db()
    assert row.version == 2 and row.checked_in_at is not None
    # Deleting a row in the inline.
    data = form_data(admin_client_portal.get(url), "forumsession_form")
    first = next(k for k, v in data.items() if k.endswith("-id") and v == str(row.pk))
    data[first.replace("-id", "-DELETE")] = "on"
    assert admin_client_portal.post(url, data).status_code == 302
    assert turnout(session) == {("WU", "eua"): (1, 1, 0, 0)}


def test_admin_attendance_change_delete_and_bulk_delete_keep_the_turnout(admin_client_portal):
    session = make_session()
    cdd, wu = make_person("CDD", KmRole.EUA), make_person("WU", KmRole.EUA)
    first, second = make_attendance(session, cdd), make_attendance(session, wu)
    url = f"/admin/forums/attendance/{first.pk}/change/"
    data = form_data(admin_client_portal.get(url), "attendance_form")
    data["status"] = "present"
    assert admin_client_portal.post(url, data).status_code == 302
    assert turnout(session)[("CDD", "eua")] == (1, 1, 0, 0)
    # The model's rules hold in the admin too: a representative needs the status "represented".
    data["representative"] = str(make_person("CDD", KmRole.AMNUAY).pk)
    assert admin_client_portal.post(url, data).status_code == 200
    assert Attendance.objects.get(pk=first.pk).representative is None
    assert (
        admin_client_portal.post(f"/admin/forums/attendance/{first.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert ("CDD", "eua") not in turnout(session)
    response = admin_client_portal.post(
        "/admin/forums/attendance/",
        {"action": "delete_selected", "_selected_action": [str(second.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert turnout(session) == {}


def test_admin_creates_a_session_without_inviting_its_circle(admin_client_portal):
    make_person("CDD", KmRole.EUA)
    data = form_data(admin_client_portal.get("/admin/forums/forumsession/add/"), "forumsession_form")
    data.update({"code": "F-ADMIN-1", "title": "เวทีจากหน้าผู้ดูแล", "circle": "eua", "date": "05/01/2569",
                 "format": "formal", "status": "planned"})  # fmt: skip
    response = admin_client_portal.post("/admin/forums/forumsession/add/", data)
    assert response.status_code == 302, BeautifulSoup(response.content, "html.parser").select(".errorlist")
    session = ForumSession.objects.get(code="F-ADMIN-1")
    assert session.date == dt.date(2026, 1, 5) and session.version == 1
    assert not session.attendances.exists()


def test_sheet_walk_ins_are_written_by_the_service(monkeypatch):
    from forums import sheet_import
    from forums.tabular import Row

    session = make_session(date=dt.date.today())
    person = make_person("CDD", KmRole.EUA)
    calls = []
    original = services.add_walk_ins
    monkeypatch.setattr(services, "add_walk_ins", lambda *a, **k: calls.append(a) or original(*a, **k))
    checked = sheet_import.check_rows(session, [Row(2, {"person": person.code, "status": "มา"})])
    counts = sheet_import.apply_rows(session, checked, user=make_user())
    assert counts["walk_ins"] == 1 and len(calls) == 1
    assert turnout(session) == {("CDD", "eua"): (0, 0, 0, 1)}


def test_a_session_cancelled_in_the_admin_stops_counting_its_people_reached(admin_client_portal):
    from analytics.metrics import Scope, compute
    from analytics.views import _people_reached

    session = make_session(status="held")
    make_attendance(session, make_person("CDD"), status="present")
    assert _people_reached(compute(Scope())) == 1
    url = f"/admin/forums/forumsession/{session.pk}/change/"
    data = form_data(admin_client_portal.get(url), "forumsession_form")
    data["status"] = ForumSession.Status.CANCELLED
    assert admin_client_portal.post(url, data).status_code == 302
    assert _people_reached(compute(Scope())) == 0
