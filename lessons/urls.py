from django.contrib.auth.decorators import login_not_required
from django.urls import path

from lessons.feeds import PublishedNotesFeed
from lessons.views import assets, files, notes

app_name = "lessons"

urlpatterns = [
    path("", notes.note_list, name="note_list"),
    path("feed/", login_not_required(PublishedNotesFeed()), name="feed"),
    path("search/", notes.note_search, name="search"),
    path("assets/", assets.knowledge_assets, name="knowledge_assets"),
    path("assets/booklet.pdf", assets.knowledge_booklet, name="knowledge_booklet"),
    path("new/", notes.note_create, name="note_create"),
    path("new/preview/", notes.body_preview, name="body_preview"),
    path("mine/", notes.my_notes, name="my_notes"),
    path("<str:slug>/", notes.note_detail, name="note_detail"),
    path("<str:slug>/edit/", notes.note_edit, name="note_edit"),
    path("<str:slug>/comments/", notes.comment_create, name="comment_create"),
    path("<str:slug>/card.png", files.note_card, name="note_card"),
    path("<str:slug>/files/", files.attachment_add, name="attachment_add"),
    path("<str:slug>/files/<int:pk>/delete/", files.attachment_delete, name="attachment_delete"),
    path(
        "<str:slug>/files/<int:pk>/<str:variant>/",
        files.attachment_file,
        name="attachment",
    ),
    path(
        "<str:slug>/comments/<int:comment_id>/<str:action>/", notes.comment_moderate, name="comment_moderate"
    ),
    path("<str:slug>/<str:action>/", notes.note_transition, name="note_transition"),
]
