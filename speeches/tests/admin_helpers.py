"""Helpers shared by the admin tests: a staff user allowed to manage documents, uploads, zips."""

from __future__ import annotations

import io
import zipfile

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

UPLOAD_URL = "/admin/speeches/document/upload/"


def make_staff(django_user_model, username="editor"):
    """A staff user (not a superuser) with the document permissions an archive editor gets."""
    user = django_user_model.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="speeches"))
    return user


def upload(client, *files: tuple[str, bytes]):
    """POST files to the admin upload page as the browser does (one multi-file field)."""
    payload = [SimpleUploadedFile(name, raw) for name, raw in files]
    return client.post(UPLOAD_URL, {"files": payload})


def zip_of(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, raw in files.items():
            archive.writestr(name, raw)
    return buffer.getvalue()


def reports_of(response) -> dict[str, dict]:
    return {report["name"]: report for report in response.context["reports"]}


def changelist_url() -> str:
    return reverse("admin:speeches_document_changelist")
