from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Lesson-learned notes")

    def ready(self):
        # The apps below lessons may not import it: lessons registers with them.
        from analytics import tiles

        # pdpa registers the notes' personal data with agencies.pdpa by being imported.
        from lessons import page_cache, pdpa  # noqa: F401

        tiles.register(
            tiles.Tile(
                key="notes_published",
                label=_("lesson notes published"),
                count=page_cache.published_count,
                url_name="lessons:note_list",
            )
        )
        page_cache.connect()
