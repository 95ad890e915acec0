from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ThaiFirstLocaleMiddleware(LocaleMiddleware):
    """Thai unless the user chose English with the language switch.

    Django's own middleware follows the browser's Accept-Language, and many Thai staff use phones set to English;
    the portal is Thai first, so only the switch's cookie changes the language.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """Answers 400 to a request with a NUL character in its address or query string.

    No address of the portal has a use for one, and PostgreSQL refuses NUL in text: without this guard a view that
    passes an address part or a filter parameter to a query would fail with a server error. Posted forms refuse
    NUL themselves, with a form error next to the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value
            for query in (request.GET,)
            for key, values in query.lists()
            for value in values
        ):
            return HttpResponseBadRequest(
                "คำขอมีอักขระ NUL ซึ่งใช้ไม่ได้ / The request holds a NUL character, which is not allowed.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
