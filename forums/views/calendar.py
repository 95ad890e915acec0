from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page, never_cache
from django.views.decorators.http import require_POST, require_safe

from agencies.models import Tambon
from forums.calendar_feed import build_calendar, build_public_calendar, person_sessions, public_sessions
from forums.models import CalendarFeed, Circle


@login_not_required
@never_cache
@require_safe
def feed(request, token):
    """The secret-address feed: no login (calendar programs cannot log in), 404 once revoked."""
    subscription = get_object_or_404(
        CalendarFeed.objects.select_related("person"), token=token, revoked_at__isnull=True
    )
    body = build_calendar(subscription.person, person_sessions(subscription.person), request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kmportal.ics"'
    return response


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("Your account is not linked to a person in the portal."))
    return person


@require_safe
def my_calendar(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "forums/my_calendar.html", {"person": None})
    subscription = person.calendar_feeds.filter(revoked_at__isnull=True).first()
    url = request.build_absolute_uri(f"/forums/calendar/{subscription.token}.ics") if subscription else None
    return render(
        request, "forums/my_calendar.html", {"person": person, "subscription": subscription, "url": url}
    )


@require_POST
@transaction.atomic
def renew_calendar(request):
    """Makes a new secret address; the old one stops working at once."""
    person = _person(request)
    person.calendar_feeds.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    CalendarFeed.objects.create(person=person)
    messages.success(request, _("New calendar address made; the old one no longer works."))
    return redirect("forums:my_calendar")


@require_POST
def revoke_calendar(request):
    person = _person(request)
    person.calendar_feeds.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, _("Calendar address revoked."))
    return redirect("forums:my_calendar")


# Public feeds: the same for everyone, so a short shared cache keeps a room full of subscribed calendars cheap.
PUBLIC_FEED_SECONDS = 300


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_not_required
@require_safe
@cache_page(PUBLIC_FEED_SECONDS)
def circle_feed(request, code):
    """Planned and held sessions of one circle, with no personal data, for partner agencies to subscribe to."""
    if code not in Circle.values:
        raise Http404(_("No such circle."))
    name = f"เวทีแลกเปลี่ยนเรียนรู้ – {Circle(code).label}"
    return _ics(build_public_calendar(name, public_sessions(circle=code)), f"circle-{code}.ics")


@login_not_required
@require_safe
@cache_page(PUBLIC_FEED_SECONDS)
def tambon_feed(request, code):
    """Planned and held sessions held in one tambon."""
    tambon = get_object_or_404(Tambon, code=code)
    name = f"เวทีแลกเปลี่ยนเรียนรู้ – ต.{tambon.name_th}"
    return _ics(build_public_calendar(name, public_sessions(tambon=tambon.code)), f"tambon-{code}.ics")
