from django.contrib import admin
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

admin.site.site_header = "讲话档案管理"
admin.site.site_title = "讲话档案管理"
admin.site.index_title = "管理"


def healthz(request):
    """For the proxy and the orchestrator: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    # static() at request time: with DEBUG off it reads collectstatic's manifest.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("speeches.urls")),
]
