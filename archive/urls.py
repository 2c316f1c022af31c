from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "讲话档案管理"
admin.site.site_title = "讲话档案管理"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("speeches.urls")),
]
