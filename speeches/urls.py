from django.urls import path

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("speeches/<str:public_id>/", views.speech_detail, name="speech"),
    path("speeches/<str:public_id>/<str:slug>/", views.speech_detail, name="speech-slug"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/raw/", views.document_raw, name="document-raw"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("api/search", api.search, name="api-search"),
    path("api/speeches", api.speeches, name="api-speeches"),
    path("api/speeches/<str:public_id>", api.speech, name="api-speech"),
]
