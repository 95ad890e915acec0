from django.urls import path

from forums.views import calendar, checkin, invitations, qr, sessions, sheet

app_name = "forums"

urlpatterns = [
    path("", sessions.session_list, name="session_list"),
    path("new/", sessions.session_create, name="session_create"),
    path("checkin-sw.js", checkin.checkin_service_worker, name="checkin_service_worker"),
    path("checkin.webmanifest", checkin.checkin_manifest, name="checkin_manifest"),
    path("calendar/", calendar.my_calendar, name="my_calendar"),
    path("calendar/renew/", calendar.renew_calendar, name="renew_calendar"),
    path("calendar/revoke/", calendar.revoke_calendar, name="revoke_calendar"),
    path("calendar/<str:token>.ics", calendar.feed, name="calendar_feed"),
    path("<str:code>/", sessions.session_detail, name="session_detail"),
    path("<str:code>/edit/", sessions.session_edit, name="session_edit"),
    path("<str:code>/invitations/", invitations.invitations, name="invitations"),
    path("<str:code>/invitations/proposed/", invitations.invite_proposed, name="invite_proposed"),
    path("<str:code>/invitations/remove/", invitations.uninvite, name="uninvite"),
    path("<str:code>/invitations/reply/", invitations.reply, name="reply"),
    path("<str:code>/checkin/", checkin.checkin, name="checkin"),
    path("<str:code>/checkin/data.json", checkin.checkin_data, name="checkin_data"),
    path("<str:code>/checkin/sync/", checkin.checkin_sync, name="checkin_sync"),
    path("<str:code>/checkin/walk-in/", checkin.walk_in, name="walk_in"),
    path(
        "<str:code>/checkin/<int:attendance_id>/representative/",
        checkin.representative,
        name="representative",
    ),
    path("<str:code>/sheet/", sheet.sign_in_sheet, name="sign_in_sheet"),
    path("<str:code>/sheet/import/", sheet.import_sheet, name="import_sheet"),
    path("<str:code>/slips.pdf", qr.invitation_slips, name="invitation_slips"),
    path("<str:code>/venue-qr/", qr.venue_qr, name="venue_qr"),
    path("<str:code>/links/", qr.personal_links, name="personal_links"),
    # Without login, after the session pages so that no session's own page is shadowed by them.
    # Printed on the first slips and QR codes: a permanent redirect to public:invitee_reply.
    path("i/<str:code>/", qr.old_personal_link, name="old_personal_link"),
    path("here/<str:token>/", qr.venue, name="venue"),
]
