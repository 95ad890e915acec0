from django import template

from forums.notifiers import line_message as compose_line_message

register = template.Library()


@register.simple_tag
def line_message(session, attendance=None):
    return compose_line_message(session, attendance)
