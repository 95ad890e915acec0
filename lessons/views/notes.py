"""Notes: the list, a note's page, writing and editing, review and publication, comments, and search."""

import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.models import Organization, Tambon
from core.thaidates import format_date
from lessons import access, page_cache, richtext, search, services
from lessons.forms import (
    AttachmentForm,
    CommentForm,
    KeyLessonFormSet,
    NoteForm,
    ReviewForm,
)
from lessons.models import Collection, Comment, LessonNote, NoteEvent, Tag

NOTES_PER_PAGE = 20
COMMENTS_PER_WINDOW = 5
COMMENT_WINDOW = dt.timedelta(minutes=10)


def note_for(request, slug, *, edit=False) -> LessonNote:
    if edit:
        return access.get_note_for_change(request.user, slug)
    return access.get_note_for_user(request.user, slug)


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
    user = request.user
    if user.is_authenticated or not note.is_published:
        parts = _note_parts(request, note, services.figures_changed_since_frozen(note))
    else:
        # An anonymous reader: the head's tags and the article are the same for every one of them, and come
        # from the shared cache (lessons.page_cache); only the frame around them is rendered.
        live_differs = services.figures_changed_since_frozen(note, compute_if_missing=False)
        parts = page_cache.cached(
            note,
            lambda: _note_parts(request, note, live_differs),
            get_language() or "th",
            request.build_absolute_uri("/"),
            "differs" if live_differs else "same",
        )
    return render(request, "lessons/note_detail.html", {"note": note, **parts})


def _note_parts(request, note: LessonNote, live_differs: bool) -> dict:
    """The head's tags and the article of a note's page as HTML, for this reader."""
    user = request.user
    comments = note.comments.select_related("author")
    if not access.can_moderate(user, note):
        comments = comments.filter(is_hidden=False)
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
    can_edit, can_review = access.can_edit(user, note), access.can_review(user, note)
    events = list(note.events.select_related("actor"))
    # Reviewers' comments are for the author and the reviewers; the publication record is for everyone.
    private_kinds = {NoteEvent.Kind.REVIEW_COMMENT, NoteEvent.Kind.RETURNED, NoteEvent.Kind.SUBMITTED}
    public_events = [e for e in events if e.kind not in private_kinds]
    review_events = [e for e in events if e.kind in private_kinds] if (can_edit or can_review) else []
    files = list(note.attachments.all())
    photos = [a for a in files if a.is_photo]
    documents = [a for a in files if not a.is_photo]
    share_url = request.build_absolute_uri(note.get_absolute_url())
    context = {
        "note": note,
        "key_lessons": note.key_lessons.all(),
        "comments": comments,
        "comment_count": note.comments.filter(is_hidden=False).count(),
        "comment_form": CommentForm() if user.is_authenticated else None,
        "snapshot": snapshot,
        "report_rows": report_rows,
        "chart": {
            "labels": [name for name, _row in report_rows],
            "values": [row["attendance_rate"] for _name, row in report_rows],
            "label": _("Attendance rate %"),
        },
        "live_differs": live_differs,
        "related": related,
        "can_edit": can_edit,
        "can_review": can_review,
        "can_publish": access.can_publish(user, note),
        "review_required": access.review_required(),
        "can_moderate": access.can_moderate(user, note),
        "public_events": public_events,
        "review_events": review_events,
        "review_form": ReviewForm() if can_review else None,
        "attachment_form": AttachmentForm() if can_edit else None,
        "files": files,
        "photos": photos,
        "documents": documents,
        "og_image": request.build_absolute_uri(
            photos[0].get_absolute_url()
            if photos
            else reverse("lessons:note_card", kwargs={"slug": note.slug})
        ),
        "share_url": share_url,
        "dashboard_query": _dashboard_query(note.report_scope),
        "summary_text": note.summary or richtext.plain_text(note.body)[:200],
    }
    return {
        "head_html": render_to_string("lessons/includes/note_head.html", context, request),
        "article_html": render_to_string("lessons/includes/note_article.html", context, request),
        "has_report": bool(snapshot),
    }


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
    if not access.can_write(request.user):
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
                "body": richtext.safe_html(form.cleaned_data["body"]),
                "figures": services.live_figures(LessonNote(report_scope=form.report_scope())),
            }
        else:
            note = form.save(commit=False)
            note.report_scope = form.report_scope()

            def save_related(saved):
                form.save_m2m()
                saved.sessions.set(form.cleaned_data["session_codes"])
                lessons.instance = saved
                for order, lesson_form in enumerate(lessons.forms):
                    lesson_form.instance.order = order
                lessons.save()

            # A published note keeps its frozen figures when edited; they change only when re-frozen.
            services.save_note(note, save_related=save_related, tag_names=form.cleaned_data["new_tags"])
            messages.success(request, _("Note saved."))
            return redirect("lessons:note_detail", slug=note.slug)
    return render(
        request,
        "lessons/note_form.html",
        {"form": form, "lessons": lessons, "note": note, "preview": preview},
    )


@require_POST
def body_preview(request):
    """The body as it will be stored: the editor shows this instead of repeating the server's rules."""
    if not access.can_write(request.user):
        raise PermissionDenied
    body = request.POST.get("body", "")[:200_000]
    if request.POST.get("kind") == "text":
        # Typed or pasted plain text: escaped, whatever it looks like; lines and lists as the form reads them.
        html = richtext.clean_html(richtext.text_to_html(body))
    else:
        html = richtext.render_body(body)
    return JsonResponse({"html": str(richtext.safe_html(html))})


@require_POST
def note_transition(request, slug, action):
    note = access.get_note_for_user(request.user, slug)
    user = request.user
    if not (access.can_edit(user, note) or access.can_review(user, note)):
        raise Http404
    if action == "submit":
        services.submit(note, user)
        messages.success(request, _("Sent for review."))
    elif action == "publish":
        services.publish(note, user)
        messages.success(
            request, _("Published: anyone can read it now, and its figures are frozen as of today.")
        )
    elif action == "unpublish":
        services.unpublish(note, user)
        messages.success(request, _("Taken back to draft."))
    elif action == "refreeze":
        services.refreeze(note, user)
        messages.success(request, _("The figures were taken again as of today."))
    elif action in ("return", "comment"):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("message", [])))
        elif action == "return":
            services.return_to_author(note, user, form.cleaned_data["message"])
            messages.success(request, _("Returned to the author with your comments."))
        else:
            services.review_comment(note, user, form.cleaned_data["message"])
            messages.success(request, _("Comment sent to the author."))
    else:
        raise Http404
    return redirect("lessons:note_detail", slug=note.slug)


@require_safe
def my_notes(request):
    if not access.can_write(request.user):
        raise PermissionDenied
    notes = LessonNote.objects.filter(author=request.user).order_by("-updated_at")
    if access.is_editor(request.user):
        notes = LessonNote.objects.select_related("author").order_by("-updated_at")
    to_review = []
    if access.is_reviewer(request.user):
        to_review = (
            LessonNote.objects.filter(status=LessonNote.Status.REVIEW)
            .exclude(author=request.user)
            .select_related("author")
            .order_by("updated_at")
        )
    return render(request, "lessons/my_notes.html", {"notes": notes, "to_review": to_review})


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
    if not access.can_moderate(request.user, note):
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
    """Published notes only, the same for every reader: the answer to a query is cached under the notes' page
    version (lessons/page_cache.py, bumped by every write to what a note shows) and the language; the search runs
    only when it is not."""
    query = request.GET.get("q", "").strip()[:200]
    published = LessonNote.objects.published()

    @functools.cache
    def found():
        results = search.search(query, published.select_related("author")) if query else []
        suggestion = search.suggest(query, published) if query and not results else None
        return {"results": results, "suggestion": suggestion}

    context = {
        "query": query,
        "found": found,
        "version": page_cache.version(),
        "cache_seconds": page_cache.TIMEOUT,
    }
    return render(request, "lessons/search.html", context)
