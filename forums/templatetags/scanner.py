"""{% checkin_scanner session %}: the QR scanner panel of the check-in page (static/js/scanner.js).

An inclusion tag, so that the check-in page needs one line for it and its view nothing: the panel carries the
session id (a code of another session is refused on the phone, offline too) and the moment from which an arrival
counts as late, as data attributes (the CSP allows no inline script).
"""

from django import template

from forums import self_checkin

register = template.Library()


@register.inclusion_tag("forums/includes/scanner.html")
def checkin_scanner(session):
    late = self_checkin.late_from(session)
    return {"session": session, "late_from": late.isoformat() if late else ""}
