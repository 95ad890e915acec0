from django.contrib.auth.decorators import login_not_required
from django.urls import path

from lessons import views
from lessons.feeds import PublishedNotesFeed

app_name = "lessons"

urlpatterns = [
    path("", views.note_list, name="note_list"),
    path("feed/", login_not_required(PublishedNotesFeed()), name="feed"),
    path("search/", views.note_search, name="search"),
    path("assets/", views.knowledge_assets, name="knowledge_assets"),
    path("assets/booklet.pdf", views.knowledge_booklet, name="knowledge_booklet"),
    path("new/", views.note_create, name="note_create"),
    path("new/preview/", views.body_preview, name="body_preview"),
    path("mine/", views.my_notes, name="my_notes"),
    path("<str:slug>/", views.note_detail, name="note_detail"),
    path("<str:slug>/edit/", views.note_edit, name="note_edit"),
    path("<str:slug>/comments/", views.comment_create, name="comment_create"),
    path("<str:slug>/card.png", views.note_card, name="note_card"),
    path("<str:slug>/files/", views.attachment_add, name="attachment_add"),
    path("<str:slug>/files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path(
        "<str:slug>/files/<int:pk>/<str:variant>/",
        views.attachment_file,
        name="attachment",
    ),
    path(
        "<str:slug>/comments/<int:comment_id>/<str:action>/", views.comment_moderate, name="comment_moderate"
    ),
    path("<str:slug>/<str:action>/", views.note_transition, name="note_transition"),
]
