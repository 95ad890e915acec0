"""{{ person.phone|phone_for:user }}: the number in full for users with agencies.view_personal_data, masked
(08x-xxx-1234) for others;
{{ number|mask_phone }}: always masked."""

from django import template

from agencies import pdpa

register = template.Library()


@register.filter
def mask_phone(value):
    return pdpa.mask_phone(value)


@register.filter
def phone_for(value, user):
    return pdpa.phone_for(value, user)
