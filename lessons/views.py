import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.models import KmRole, Organization, Tambon
from core.thaidates import format_date
from lessons import richtext, search, services
from lessons.forms import CommentForm, KeyLessonFormSet, NoteForm
from lessons.models import Collection, Comment, KeyLesson, LessonNote, Tag

NOTES_PER_PAGE = 20
COMMENTS_PER_WINDOW = 5
COMMENT_WINDOW = dt.timedelta(minutes=10)


def note_for(request, slug, *, edit=False) -> LessonNote:
    """The note with this slug if the user may see it (or edit it); 404 otherwise, so drafts stay unseen."""
    note = get_object_or_404(LessonNote.objects.select_related("author", "collection"), slug=slug)
    allowed = services.can_edit(request.user, note) if edit else services.can_see(request.user, note)
    if not allowed:
        raise Http404
    return note


def _filtered(request, notes):
    filters = {}
    for key, lookup, model, field in (
        ("collection", "collection__slug", Collection, "slug"),
        ("tag", "tags__slug", Tag, "slug"),
        ("tambon", "tambons__code", Tambon, "code"),
        ("agency", "agencies__code", Organization, "code"),
    ):
        value = request.GET.get(key, "").strip()
        if value:
            notes = notes.filter(**{lookup: value})
            filters[key] = model.objects.filter(**{field: value}).first()
    author = request.GET.get("author", "").strip()
    if author:
        notes = notes.filter(author__username=author)
        filters["author"] = author
    return notes.distinct(), filters


@login_not_required
@require_safe
def note_list(request):
    notes = (
        LessonNote.objects.published()
        .select_related("author", "collection")
        .annotate(comment_count=Count("comments", filter=Q(comments__is_hidden=False)))
    )
    notes, filters = _filtered(request, notes)
    page = Paginator(notes.order_by("-published_at", "-pk"), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "collections": Collection.objects.annotate(n=Count("notes", filter=Q(notes__status="published"))),
        "tags": Tag.objects.annotate(n=Count("notes", filter=Q(notes__status="published"))).filter(n__gt=0),
    }
    return render(request, "lessons/note_list.html", context)


@login_not_required
@require_safe
def note_detail(request, slug):
    note = note_for(request, slug)
    comments = note.comments.select_related("author")
    if not services.can_moderate(request.user, note):
        comments = comments.filter(is_hidden=False)
    # "Figures have changed since": for an anonymous reader only from the cache, so that the internet cannot
    # make the portal recompute the province; a signed-in reader (staff) fills the cache.
    live = (
        services.live_figures(note, compute_if_missing=request.user.is_authenticated)
        if note.is_published and note.report_snapshot
        else None
    )
    related = (
        LessonNote.objects.published()
        .exclude(pk=note.pk)
        .filter(Q(collection=note.collection_id, collection__isnull=False) | Q(tags__in=note.tags.all()))
        .distinct()
        .order_by("-published_at")[:5]
    )
    snapshot = note.report_snapshot if note.is_published else services.live_figures(note)
    names = dict(Organization.objects.partners().values_list("code", "abbr_th"))
    report_rows = (
        [(names.get(row["code"], row["code"]), row) for row in snapshot["agencies"]] if snapshot else []
    )
    context = {
        "note": note,
        "key_lessons": note.key_lessons.all(),
        "comments": comments,
        "comment_count": note.comments.filter(is_hidden=False).count(),
        "comment_form": CommentForm() if request.user.is_authenticated else None,
        "snapshot": snapshot,
        "report_rows": report_rows,
        "chart": {
            "labels": [name for name, _row in report_rows],
            "values": [row["attendance_rate"] for _name, row in report_rows],
            "label": _("Attendance rate %"),
        },
        "live_differs": bool(live and live["agencies"] != note.report_snapshot["agencies"]),
        "related": related,
        "can_edit": services.can_edit(request.user, note),
        "can_moderate": services.can_moderate(request.user, note),
        "dashboard_query": _dashboard_query(note.report_scope),
        "summary_text": note.summary or richtext.plain_text(note.body)[:200],
    }
    return render(request, "lessons/note_detail.html", context)


def _dashboard_query(scope: dict | None) -> str:
    """The dashboard's address parameters for a report scope (Buddhist-era dates, as the dashboard reads them)."""
    if not scope:
        return ""
    query = QueryDict(mutable=True)
    for key, name in (("from", "start"), ("to", "end")):
        if scope.get(key):
            query[name] = format_date(dt.date.fromisoformat(scope[key]), "numeric")
    query["circle"] = scope.get("circle") or ""
    if scope.get("tambon"):
        query["tambon"] = scope["tambon"]
    if scope.get("roles"):
        query.setlist("roles", scope["roles"])
    return query.urlencode()


@require_http_methods(["GET", "POST"])
def note_create(request):
    if not services.can_write(request.user):
        raise PermissionDenied
    return _edit(request, LessonNote(author=request.user))


@require_http_methods(["GET", "POST"])
def note_edit(request, slug):
    return _edit(request, note_for(request, slug, edit=True))


def _edit(request, note: LessonNote):
    form = NoteForm(request.POST or None, instance=note)
    lessons = KeyLessonFormSet(request.POST or None, instance=note, prefix="lessons")
    preview = None
    if request.method == "POST" and form.is_valid() and lessons.is_valid():
        if "preview" in request.POST:
            preview = {
                "body": form.cleaned_data["body"],
                "figures": services.live_figures(LessonNote(report_scope=form.report_scope())),
            }
        else:
            with transaction.atomic():
                note = form.save(commit=False)
                note.report_scope = form.report_scope()
                if not note.slug:
                    note.slug = services.unique_slug(note.title)
                note.save()
                form.save_m2m()
                note.sessions.set(form.cleaned_data["session_codes"])
                lessons.instance = note
                for order, lesson_form in enumerate(lessons.forms):
                    lesson_form.instance.order = order
                lessons.save()
                # A published note keeps its frozen figures when edited; they change only if it is published again.
                search.refresh_search_text(note)
            messages.success(request, _("Note saved."))
            return redirect("lessons:note_detail", slug=note.slug)
    return render(
        request,
        "lessons/note_form.html",
        {"form": form, "lessons": lessons, "note": note, "preview": preview},
    )


@require_POST
def note_transition(request, slug, action):
    note = note_for(request, slug, edit=True)
    if action == "submit":
        services.submit(note)
        messages.success(request, _("Sent for review."))
    elif action == "publish":
        services.publish(note)
        messages.success(
            request, _("Published: anyone can read it now, and its figures are frozen as of today.")
        )
    elif action == "unpublish":
        services.unpublish(note)
        messages.success(request, _("Taken back to draft."))
    else:
        raise Http404
    return redirect("lessons:note_detail", slug=note.slug)


@require_safe
def my_notes(request):
    if not services.can_write(request.user):
        raise PermissionDenied
    notes = LessonNote.objects.filter(author=request.user).order_by("-updated_at")
    if services.is_editor(request.user):
        notes = LessonNote.objects.select_related("author").order_by("-updated_at")
    return render(request, "lessons/my_notes.html", {"notes": notes})


@require_POST
def comment_create(request, slug):
    note = note_for(request, slug)
    if not note.is_published:
        raise Http404
    recent = Comment.objects.filter(
        author=request.user, created_at__gte=timezone.now() - COMMENT_WINDOW
    ).count()
    if recent >= COMMENTS_PER_WINDOW:
        messages.error(request, _("You have commented a lot in a short time; please wait a few minutes."))
        return redirect(note.get_absolute_url() + "#comments")
    form = CommentForm(request.POST)
    if form.is_valid():
        Comment.objects.create(note=note, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Comment posted."))
    else:
        messages.error(request, " ".join(form.errors.get("body", [])))
    return redirect(note.get_absolute_url() + "#comments")


@require_POST
def comment_moderate(request, slug, comment_id, action):
    note = note_for(request, slug)
    if not services.can_moderate(request.user, note):
        raise PermissionDenied
    comment = get_object_or_404(note.comments, pk=comment_id)
    if action == "hide":
        comment.is_hidden = not comment.is_hidden
        comment.save(update_fields=["is_hidden"])
    elif action == "delete":
        comment.delete()
    else:
        raise Http404
    return redirect(note.get_absolute_url() + "#comments")


@login_not_required
@require_safe
def note_search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = search.search(query, LessonNote.objects.published().select_related("author")) if query else []
    return render(request, "lessons/search.html", {"query": query, "results": results})


@login_not_required
@require_safe
def knowledge_assets(request):
    """ขุมความรู้: every key lesson of the published notes, filterable."""
    lessons = KeyLesson.objects.filter(note__status=LessonNote.Status.PUBLISHED).select_related("note")
    role = request.GET.get("role", "")
    if role in KmRole.values:
        lessons = lessons.filter(role=role)
    for key, lookup in (
        ("tambon", "note__tambons__code"),
        ("agency", "note__agencies__code"),
        ("collection", "note__collection__slug"),
    ):
        value = request.GET.get(key, "").strip()
        if value:
            lessons = lessons.filter(**{lookup: value})
    page = Paginator(lessons.distinct().order_by("-note__published_at", "order"), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "roles": KmRole.choices,
        "role": role,
        "tambons": Tambon.objects.filter(lesson_notes__status="published").distinct(),
        "agencies": Organization.objects.partners(),
        "collections": Collection.objects.all(),
        "selected": {k: request.GET.get(k, "") for k in ("tambon", "agency", "collection")},
    }
    return render(request, "lessons/knowledge_assets.html", context)
