"""Indexes for the Thai full-text search of lessons/search.py, on PostgreSQL only.

- GIN on to_tsvector('simple', search_text): the full-text search. The index is built from the same Django
  expression that lessons.search filters on (SearchVector("search_text", config="simple"), which also wraps the
  column in COALESCE), so that PostgreSQL sees the same expression and uses the index.
- GIN trigram (gin_trgm_ops) on search_text: the near-miss search (`search_text %> term`).

SQLite has neither; the search there reads search_text with LIKE, so this migration does nothing on it. The
indexes are not declared in LessonNote.Meta because they exist on one database only.
"""

from django.db import migrations

FTS_INDEX_NAME = "lessons_note_search_fts"
TRIGRAM_INDEX_NAME = "lessons_note_search_trgm"


def _indexes():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return [
        GinIndex(SearchVector("search_text", config="simple"), name=FTS_INDEX_NAME),
        GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name=TRIGRAM_INDEX_NAME),
    ]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    note = apps.get_model("lessons", "LessonNote")
    for index in _indexes():
        schema_editor.add_index(note, index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    note = apps.get_model("lessons", "LessonNote")
    for index in _indexes():
        schema_editor.remove_index(note, index)
    # pg_trgm stays: other database objects may use it by now, and it costs nothing unused.


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
