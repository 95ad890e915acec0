"""Addresses that need no login: the invitee's personal page (reply, calendar file, self check-in) and the public calendar feeds."""

from django.urls import path

from forums.views import calendar, qr, replies

app_name = "public"

urlpatterns = [
    path("i/<str:code>/", replies.reply_page, name="invitee_reply"),
    path("i/<str:code>/checkin/", qr.invitee_checkin, name="invitee_checkin"),
    path("i/<str:code>/calendar.ics", replies.reply_calendar, name="invitee_calendar"),
    path("calendar/circle/<str:code>.ics", calendar.circle_feed, name="circle_feed"),
    path("calendar/tambon/<str:code>.ics", calendar.tambon_feed, name="tambon_feed"),
]
