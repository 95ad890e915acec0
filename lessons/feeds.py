from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from lessons import richtext
from lessons.models import LessonNote


class PublishedNotesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Lesson-learned notes of the Nakhon Si Thammarat KM program")
    link = "/lessons/"
    subtitle = _("Knowledge assets from the forums of community finance organizations")

    def items(self):
        return LessonNote.objects.published().select_related("author").order_by("-published_at")[:30]

    def item_title(self, note):
        return note.title

    def item_description(self, note):
        return note.summary or richtext.plain_text(note.body)[:500]

    def item_pubdate(self, note):
        return note.published_at

    def item_updateddate(self, note):
        return note.updated_at

    def item_author_name(self, note):
        return note.author.get_full_name() or note.author.get_username()
