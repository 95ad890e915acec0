"""QR codes of personal invitation codes and venue links, drawn on the server with segno.

They are inline SVG (no image request, crisp at any print size) and carry no style attribute, so that the strict
Content-Security-Policy (no inline style) holds: the size comes from the page's stylesheet through the class.
"""

import re

import segno
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from forums.codes import invitation_code

# A personal code inside anything scanned or pasted: the bare code, or a personal link that ends with it.
CODE_PATTERN = re.compile(r"(\d+-\d+-[A-Z2-7]{16})", re.IGNORECASE)


def qr_svg(data: str, css_class: str = "qr", error: str = "m") -> SafeString:
    """An inline SVG QR code. Only digits, capitals and ``-`` (a bare code) fit the compact alphanumeric mode,
    which keeps the code printed on a sheet row small; a link takes a few more modules."""
    svg = segno.make(data, error=error, micro=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass=css_class, lineclass=None, dark="#000", light="#fff"
    )
    return mark_safe(svg)  # segno's own output: a path of digits and letters, no user text


def personal_path(attendance) -> str:
    return reverse("public:invitee_reply", args=[invitation_code(attendance)])


def personal_url(request, attendance) -> str:
    """The absolute personal link, for email, LINE and the slip's QR code."""
    return request.build_absolute_uri(personal_path(attendance))


def code_in(text: str) -> str | None:
    """The personal code in a scanned or pasted text (a code or a personal link), or None."""
    match = CODE_PATTERN.search(text or "")
    return match.group(1).upper() if match else None
