"""Invitation slips (ใบเชิญ) as a PDF: one slip per invitee with their personal QR code and link, eight slips to an
A4 page, cut along the dashed lines. Drawn by WeasyPrint with the vendored Sarabun font, so Thai shapes correctly
(Pango and HarfBuzz) and nothing is fetched from outside the portal's own static files.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from forums import qrcodes
from forums.codes import invitation_code


def _static_only_fetcher():
    """WeasyPrint may read the portal's static files (the font) and nothing else: no network, no other file."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            prefix = "static:"
            path = finders.find(url[len(prefix) :]) if url.startswith(prefix) else None
            if not path:
                raise ValueError(f"not one of the portal's static files: {url}")
            with open(path, "rb") as file:
                return URLFetcherResponse(url, file.read(), status=200)

    return StaticOnly(fail_on_errors=True)


def render_slips(request, session, rows) -> bytes:
    # Imported here: loading Pango is slow and only this view needs it.
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    slips = []
    for row in rows:
        url = qrcodes.personal_url(request, row)
        slips.append({"row": row, "url": url, "code": invitation_code(row), "qr": qrcodes.qr_svg(url, "qr")})
    html = render_to_string("forums/invitation_slips.html", {"session": session, "slips": slips}, request)
    fetcher = _static_only_fetcher()
    fonts = FontConfiguration()  # without it, @font-face is ignored and Thai falls back to a system font
    stylesheet = CSS(
        string=render_to_string("forums/invitation_slips.css", {}), url_fetcher=fetcher, font_config=fonts
    )
    return HTML(string=html, url_fetcher=fetcher, base_url="static:").write_pdf(
        stylesheets=[stylesheet], font_config=fonts
    )
