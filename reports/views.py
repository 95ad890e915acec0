from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reports.brief import MonthError, parse_month, previous_month, render_pdf


@require_safe
@permission_required("analytics.view_dashboard", raise_exception=True)
def governor_brief(request):
    """The monthly brief as a PDF download: ?month=2569-11 (or 2026-11); without it, the month before this one."""
    text = request.GET.get("month", "").strip()
    if text:
        try:
            year, month = parse_month(text)
        except MonthError:
            message = _("Write the month as year-month, e.g. 2569-11 (Buddhist era) or 2026-11.")
            return render(request, "reports/bad_month.html", {"message": message}, status=400)
    else:
        today = timezone.localdate()
        year, month = previous_month(today.year, today.month)
    response = HttpResponse(render_pdf(year, month), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="governor-brief-{year + 543}-{month:02d}.pdf"'
    return response
