"""The lesson notes' personal data, registered with agencies.pdpa: notes and comments written from the person's
account. Erasure unlinks the account from the person (agencies.pdpa), so nothing here is deleted."""

from agencies import pdpa
from lessons.models import Comment, LessonNote


def export(person) -> dict[str, list[dict]]:
    user = person.user
    if user is None:
        return {"lesson_notes": [], "comments": []}
    return {
        "lesson_notes": [
            {
                "slug": n.slug,
                "title": n.title,
                "status": n.status,
                "created_at": n.created_at,
                "published_at": n.published_at,
            }
            for n in LessonNote.objects.filter(author=user).order_by("created_at")
        ],
        "comments": [
            {"note": c.note.slug, "body": c.body, "is_hidden": c.is_hidden, "created_at": c.created_at}
            for c in Comment.objects.filter(author=user).select_related("note").order_by("created_at")
        ],
    }


pdpa.register(pdpa.PersonalDataHolder(app_label="lessons", models=(LessonNote, Comment), export=export))
