"""A note's photos and documents, and its share card: served only to those who may see the note."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lessons import attachments
from lessons.forms import AttachmentForm
from lessons.views.notes import note_for


@require_POST
def attachment_add(request, slug):
    note = note_for(request, slug, edit=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachments.add_attachment(
                note, form.cleaned_data["file"], form.cleaned_data["title"], request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("File added."))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect(note.get_absolute_url() + "#attachments")


@login_not_required
@require_safe
def note_card(request, slug):
    """The share card (Open Graph image) of a note: its title on the program's colour."""
    from lessons.cards import note_card as draw_card

    note = note_for(request, slug)
    response = HttpResponse(
        draw_card(note.title, _("Lesson-learned notes of the Nakhon Si Thammarat KM program"))
    )
    response["Content-Type"] = "image/png"
    response["Cache-Control"] = "public, max-age=86400" if note.is_published else "private, no-store"
    return response


@require_POST
def attachment_delete(request, slug, pk):
    note = note_for(request, slug, edit=True)
    attachments.delete_attachment(get_object_or_404(note.attachments, pk=pk))
    messages.success(request, _("File removed."))
    return redirect(note.get_absolute_url() + "#attachments")


@login_not_required
@require_safe
def attachment_file(request, slug, pk, variant):
    """A note's file, for whoever may see the note; never from a public folder, so a draft's photos stay
    private."""
    note = note_for(request, slug)
    attachment = get_object_or_404(note.attachments, pk=pk)
    if variant == "thumb" and attachment.thumbnail:
        stored = attachment.thumbnail
    elif variant == "file":
        stored = attachment.file
    else:
        raise Http404
    content_type = "image/png" if stored.name.endswith(".png") else attachment.content_type
    if variant == "thumb" and not stored.name.endswith(".png"):
        content_type = "image/jpeg"
    response = FileResponse(stored.storage.open(stored.name, "rb"), content_type=content_type)
    if attachment.is_photo:
        response["Content-Disposition"] = "inline"
    else:
        name = (
            attachment.original_name if attachment.original_name.lower().endswith(".pdf") else "document.pdf"
        )
        response["Content-Disposition"] = download_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400" if note.is_published else "private, no-store"
    return response


def download_disposition(name: str) -> str:
    return content_disposition_header(as_attachment=True, filename=name)
