from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from . import accounts, alerts, api, bookmarks, speech_views, trend_views, views
from .feeds import SearchFeed

urlpatterns = [
    # Home, search and browsing (views.py, trend_views.py, api.py).
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/help/", views.search_help, name="search-help"),
    path("search/feed.atom", SearchFeed(), name="search-feed"),
    path("search/concordance/", views.search_concordance, name="search-concordance"),
    path("search/concordance.csv", views.search_concordance_csv, name="search-concordance-csv"),
    path("search/trends/", trend_views.search_trends, name="search-trends"),
    path("search/trends.csv", trend_views.search_trends_csv, name="search-trends-csv"),
    path("search/export.<str:fmt>", api.search_export, name="search-export"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/raw/", views.document_raw, name="document-raw"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("years/", views.year_list, name="years"),
    path("years/<int:year>/", views.year_detail, name="year"),
    path("places/", views.place_list, name="places"),
    path("places/<str:place>/", views.place_detail, name="place"),
    path("offices/", views.office_list, name="offices"),
    path("offices/<str:office>/", views.office_detail, name="office"),
    path("api/", api.index, name="api-index"),
    path("api/search", api.search, name="api-search"),
    path("api/search/export.<str:fmt>", api.search_export, name="api-search-export"),
    path("api/topics", api.topics, name="api-topics"),
    path("api/documents", api.documents, name="api-documents"),
    # Speech pages, citations, bookmarks, saved searches, accounts (speech_views.py, bookmarks.py, alerts.py, accounts.py).
    path("speeches/<str:public_id>/", speech_views.speech_detail, name="speech"),
    path("speeches/<str:public_id>/<str:slug>/", speech_views.speech_detail, name="speech-slug"),
    path("api/speeches", api.speeches, name="api-speeches"),
    path("api/speeches/<str:public_id>", api.speech, name="api-speech"),
    path("api/speeches/<str:public_id>/citation", speech_views.speech_citation, name="speech-citation"),
    path("bookmarks/", bookmarks.bookmark_list, name="bookmarks"),
    path("bookmarks/add/", bookmarks.bookmark_add, name="bookmark-add"),
    path("bookmarks/<int:pk>/edit/", bookmarks.bookmark_edit, name="bookmark-edit"),
    path("bookmarks/<int:pk>/delete/", bookmarks.bookmark_delete, name="bookmark-delete"),
    path("bookmarks/export.csv", bookmarks.bookmark_export_csv, name="bookmarks-csv"),
    path("bookmarks/export.bib", bookmarks.bookmark_export_bibtex, name="bookmarks-bibtex"),
    path("bookmarks/export.ris", bookmarks.bookmark_export_ris, name="bookmarks-ris"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/save/", alerts.alert_save, name="alert-save"),
    path("alerts/<int:pk>/delete/", alerts.alert_delete, name="alert-delete"),
    path("alerts/email/", alerts.alert_email, name="alert-email"),
    path("alerts/confirm/<str:token>/", alerts.alert_confirm, name="alert-confirm"),
    path("alerts/stop/<str:token>/", alerts.alert_stop, name="alert-stop"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Last: any other /api/ address answers JSON (api.not_found).
    re_path(r"^api/(?P<rest>.*)$", api.not_found, name="api-not-found"),
]
