"""Photos and PDF documents of lesson notes: checked, re-encoded and stored through Django's storage API.

Photos are decoded and written again with Pillow, so that nothing of the uploaded file survives but its pixels:
no EXIF (a phone's GPS position may show where a person lives: PDPA), no comments, no embedded thumbnails, no
trailing data. They are turned upright first (the EXIF orientation is lost with the EXIF), resized for the page
and given a thumbnail. Documents must be PDF by content, not by name.
"""

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lessons.models import Attachment, LessonNote

PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# Decompression bombs: a small file that decodes to a huge image.
MAX_PIXELS = 50_000_000
PHOTO_SIDE = 1600
THUMBNAIL_SIDE = 480
MAX_ATTACHMENTS = 50


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


def _read(upload, limit: int) -> bytes:
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": _megabytes(limit)}, code="too_large"
        )
    return data


def _encode(image: Image.Image, side: int) -> tuple[bytes, str, str]:
    image = image.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if (image.mode in ("RGBA", "LA", "P") and "transparency" in image.info) or image.mode in ("RGBA", "LA"):
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png", ".png"
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "image/jpeg", ".jpg"


def clean_photo(data: bytes) -> tuple[Image.Image, str]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in PHOTO_FORMATS:
                raise UnidentifiedImageError
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels."), code="too_many_pixels")
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("Only JPEG, PNG or WebP photos and PDF documents can be attached."), code="type"
        ) from error
    return image, kind


@transaction.atomic
def add_attachment(note: LessonNote, upload, title: str, by, people=()) -> Attachment:
    """Check, clean and store one uploaded file for the note; ValidationError (in the user's language) if it
    is not a photo or PDF of an allowed size or has no description."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(
            _("Describe the photo or document (what it shows): readers who cannot see it need this."),
            code="alt",
        )
    if note.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(
            _("A note holds at most %(n)s photos and documents.") % {"n": MAX_ATTACHMENTS}, code="too_many"
        )
    head = upload.read(5)
    upload.seek(0)
    original = PurePath(getattr(upload, "name", "") or "file").name[:255]
    attachment = Attachment(
        note=note, title=title[:300], original_name=original, uploaded_by=by, order=note.attachments.count()
    )
    if head == b"%PDF-":
        data = _read(upload, MAX_DOCUMENT_BYTES)
        attachment.kind, attachment.content_type, attachment.size = (
            Attachment.Kind.DOCUMENT,
            "application/pdf",
            len(data),
        )
        attachment.file.save("document.pdf", ContentFile(data), save=False)
    else:
        data = _read(upload, MAX_PHOTO_BYTES)
        image, _kind = clean_photo(data)
        photo, content_type, extension = _encode(image, PHOTO_SIDE)
        thumbnail, _type, thumb_extension = _encode(image, THUMBNAIL_SIDE)
        attachment.kind, attachment.content_type, attachment.size = (
            Attachment.Kind.PHOTO,
            content_type,
            len(photo),
        )
        attachment.width, attachment.height = Image.open(io.BytesIO(photo)).size
        attachment.file.save("photo" + extension, ContentFile(photo), save=False)
        attachment.thumbnail.save("thumb" + thumb_extension, ContentFile(thumbnail), save=False)
    attachment.save()
    if people:
        attachment.people.set(people)
    return attachment


def delete_attachment(attachment: Attachment) -> None:
    """Remove the row and its files from the storage (after the transaction commits)."""
    names = [f.name for f in (attachment.file, attachment.thumbnail) if f]
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
