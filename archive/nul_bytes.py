"""Requests holding NUL: no character of any address, query or form of this site, and one
PostgreSQL refuses in a string, so it reached the database as a server error (a speech's
address with %00, a bookmark search ?q=%00, a bookmark's form), each with a traceback
in the log.

A path holding one names nothing (404; JSON under /api/, as the API answers everything).
In a query's or a form's values it is read as a space, as the search form reads every
control character (speeches/search/params.py); an uploaded file's bytes are not touched.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import Http404, HttpResponse, JsonResponse, QueryDict, UnreadablePostError


def _spaced(data: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(key.replace("\x00", " "), [value.replace("\x00", " ") for value in values])
    clean._mutable = False
    return clean


def _holds_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class NulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            if request.path_info.startswith("/api/"):
                data = {"error": "not found", "message": "地址中有空字符（NUL），没有这个地址", "path": request.path}
                return JsonResponse(data, status=404, json_dumps_params={"ensure_ascii": False})
            raise Http404("地址中有空字符（NUL）")
        if _holds_nul(request.GET):
            request.GET = _spaced(request.GET)
        if request.method == "POST":
            try:
                form = self._post(request)
            except TooManyFilesSent:
                # Django drops the whole form, CSRF token included: the admin saw a 403
                # "CSRF token missing", and in tests (no CSRF checks) the generic 400.
                limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
                message = f"一次最多上传 {limit} 个文件，请分批上传或打包为 zip（at most {limit} files per request）"
                return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
            if _holds_nul(form):
                request.POST = _spaced(request.POST)
        return self.get_response(request)

    @staticmethod
    def _post(request) -> QueryDict:
        """The form's values, or none when the body cannot be read (a client that left
        mid-body): CsrfViewMiddleware answers that request, as before this one read it."""
        try:
            return request.POST
        except UnreadablePostError:
            return QueryDict()
