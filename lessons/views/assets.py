"""คลังความรู้: the knowledge-asset page and its PDF booklet."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lessons import booklet
from lessons.forms import BookletFilterForm
from lessons.views.files import download_disposition


@login_not_required
@require_safe
def knowledge_assets(request):
    """คลังความรู้: the key lessons of the published notes by KM role, then collection or tag."""
    form = BookletFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    context = {
        "form": form,
        "booklet": booklet.booklet(**filters),
        "query": request.GET.urlencode() if form.is_valid() else "",
    }
    return render(request, "lessons/knowledge_assets.html", context)


@login_not_required
@require_safe
def knowledge_booklet(request):
    """The knowledge-asset booklet as a PDF, with the filters of the page."""
    form = BookletFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    pdf = booklet.booklet_pdf(booklet.booklet(**filters), base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = download_disposition("knowledge-booklet.pdf")
    return response
