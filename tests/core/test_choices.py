"""core.choices.ChoiceLabels: the same labels as Django's get_FOO_display, in the language of the moment."""

import pytest
from django.db import models
from django.utils import translation

from agencies.models import Organization, Person, Tambon
from core.choices import ChoiceLabels
from forums.models import Attendance, ForumSession
from lessons.models import KeyLesson, LessonNote

MODELS = [Tambon, Organization, Person, ForumSession, Attendance, LessonNote, KeyLesson]


def choice_fields(model):
    return [f for f in model._meta.concrete_fields if f.choices]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("language", ["th", "en"])
def test_every_choice_shows_djangos_label_in_each_language(model, language):
    assert issubclass(model, ChoiceLabels) and choice_fields(model)
    instance = model()
    with translation.override(language):
        for field in choice_fields(model):
            for value, _label in field.flatchoices:
                setattr(instance, field.attname, value)
                shown = getattr(instance, f"get_{field.name}_display")()
                assert shown == models.Model._get_FIELD_display(instance, field)
                assert isinstance(shown, str)


def test_the_label_follows_the_language_after_the_first_call():
    session = ForumSession(circle="eua")
    with translation.override("en"):
        english = session.get_circle_display()
    with translation.override("th"):
        thai = session.get_circle_display()
    assert english == "Khun Eua circle"
    assert "เอื้อ" in thai
    with translation.override("en"):
        assert session.get_circle_display() == english


def test_a_value_outside_the_choices_is_shown_as_it_is():
    session = ForumSession(circle="something-else")
    assert session.get_circle_display() == "something-else"
