"""Photos and documents of notes: re-encoded without EXIF/GPS, limited in size and type, served only to those
who may see the note, with safe headers."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lessons import attachments
from lessons.models import Attachment, LessonNote
from tests.factories import make_user
from tests.lessons.helpers import publish_as_reviewer, tiny_png

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def photo_with_gps(size=(2400, 1200), fmt="JPEG"):
    image = Image.new("RGB", size, (20, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (8.0, 25.0, 12.5), 3: "E", 4: (99.0, 57.0, 40.2)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    return SimpleUploadedFile("IMG_2024_บ้านนางสาวสมศรี.jpg", data, content_type="image/jpeg")


@pytest.fixture
def author():
    return make_user("facilitator")


@pytest.fixture
def note(author):
    return LessonNote.objects.create(title="มีภาพ", slug="with-photos", author=author, body="<p>x</p>")


def test_a_photo_uploaded_with_gps_is_served_without_it(client, author, note):
    client.force_login(author)
    response = client.post(
        "/lessons/with-photos/files/", {"file": photo_with_gps(), "title": "สมาชิกกลุ่มนับเงินออม"}
    )
    assert response.status_code == 302
    photo = Attachment.objects.get()
    assert photo.is_photo and photo.width == 1600 and photo.height == 800  # resized for the page
    assert "สมศรี" not in photo.file.name  # stored under a random name
    publish_as_reviewer(note)
    client.logout()
    for url in (photo.get_absolute_url(), photo.thumbnail_url()):
        served = client.get(url)
        assert served.status_code == 200
        assert served["X-Content-Type-Options"] == "nosniff"
        data = b"".join(served.streaming_content)
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif().get_ifd(GPS_IFD) and not image.getexif()
            assert "exif" not in image.info
        assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(b"".join(client.get(photo.thumbnail_url()).streaming_content))) as thumb:
        assert max(thumb.size) == attachments.THUMBNAIL_SIDE
    # The page shows the thumbnail with its alt text, and the share preview uses the first photo.
    html = BeautifulSoup(client.get(note.get_absolute_url()).content, "html.parser")
    assert html.select_one("#photos img")["alt"] == "สมาชิกกลุ่มนับเงินออม"
    assert html.select_one('meta[property="og:image"]')["content"].endswith(photo.get_absolute_url())


def test_a_draft_photo_is_not_served_to_others(client, author, note):
    photo = attachments.add_attachment(note, tiny_png(), "ภาพในร่าง", author)
    assert client.get(photo.get_absolute_url()).status_code == 404
    client.force_login(make_user("facilitator"))
    assert client.get(photo.get_absolute_url()).status_code == 404
    client.force_login(author)
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_a_pdf_document_is_served_as_a_download(client, author, note):
    pdf = SimpleUploadedFile("รายงาน.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    document = attachments.add_attachment(note, pdf, "รายงานการประชุม", author)
    assert document.kind == "document"
    publish_as_reviewer(note)
    response = client.get(document.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.html", b"<html><script>alert(1)</script>"), "JPEG, PNG"),
        (SimpleUploadedFile("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "JPEG, PNG"),
        (SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"0" * 100), "JPEG, PNG"),
    ],
)
def test_other_types_are_refused_with_a_thai_message(client, author, note, upload, message):
    client.force_login(author)
    response = client.post("/lessons/with-photos/files/", {"file": upload, "title": "ไฟล์"}, follow=True)
    assert Attachment.objects.count() == 0
    text = BeautifulSoup(response.content, "html.parser").text
    assert "ได้เฉพาะ" in text and message in text


def test_size_limit_and_alt_text_are_required(author, note, monkeypatch):
    from django.core.exceptions import ValidationError

    monkeypatch.setattr(attachments, "MAX_PHOTO_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        attachments.add_attachment(note, tiny_png(size=(300, 300)), "ภาพ", author)
    assert error.value.code == "too_large"
    with pytest.raises(ValidationError) as error:
        attachments.add_attachment(note, tiny_png(), "   ", author)
    assert error.value.code == "alt"
    assert Attachment.objects.count() == 0


def test_a_note_without_photos_shares_a_generated_card_with_a_line_link_and_copy_button(client, author, note):
    publish_as_reviewer(note)
    html = BeautifulSoup(client.get(note.get_absolute_url()).content, "html.parser")
    card_url = html.select_one('meta[property="og:image"]')["content"]
    assert card_url.endswith("/lessons/with-photos/card.png")
    response = client.get("/lessons/with-photos/card.png")
    assert response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as card:
        assert card.size == (1200, 630)
    line = html.select_one('#share a[href^="https://social-plugins.line.me/lineit/share?url="]')
    assert line["href"].endswith("http%3A%2F%2Ftestserver%2Flessons%2Fwith-photos%2F")
    assert (
        html.select_one("#share [data-copy-link]")["data-copy-link"]
        == "http://testserver/lessons/with-photos/"
    )
