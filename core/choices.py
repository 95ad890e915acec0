"""get_FOO_display() without re-reading the field's choices on every call.

Django's get_FOO_display builds a dict of the field's choices on each call, making every label hashable first: a
label is a lazy translation, so each call translated every label of the field. A list of 170 tambons and 100
organizations made about 1,100 translations a request that way. Here the dict is built once per field (its labels
stay lazy, translated when shown, in the language of the request) and each call translates one label.
"""

import functools

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@functools.cache
def _labels(field) -> dict:
    return dict(field.flatchoices)


class ChoiceLabels:
    """A mixin for models: put before models.Model in the bases, so that the model's get_FOO_display methods
    (made when its fields are added to the class) use this."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
