"""Helpers for tests that need a published note: publication goes through a reviewer who is not the author."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lessons import services
from tests.factories import make_user


def reviewer():
    return make_user("facilitator_lead")


def publish_as_reviewer(note, by=None):
    return services.publish(note, by or reviewer())


def tiny_png(name="photo.png", size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
