from django.urls import path

from . import api, speech_views, views

urlpatterns = [
    # Home, search and browsing (search issue).
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/raw/", views.document_raw, name="document-raw"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("api/search", api.search, name="api-search"),
    # Speech pages, citations, bookmarks, accounts (speech-pages issue).
    path("speeches/<str:public_id>/", speech_views.speech_detail, name="speech"),
    path("speeches/<str:public_id>/<str:slug>/", speech_views.speech_detail, name="speech-slug"),
    path("api/speeches", api.speeches, name="api-speeches"),
    path("api/speeches/<str:public_id>", api.speech, name="api-speech"),
]
