"""The archive's admin: staff upload scraped pages and look after documents.

Speeches, sections and topics come from the pipeline, so their admins are for
finding and reading; a correction is a re-ingest of the document (which keeps
public ids and brings the index along), never a hand edit that the index would
not see.
"""

from contextlib import nullcontext

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .indexing import index_document
from .loading import child_parser, ingest_bytes, remove_document, size_text
from .locks import IndexBusy
from .models import Document, Section, Speech, SpeechAlias, SpeechTopic, Topic
from .uploads import Allowance, file_report, is_zip, step_rows, upload_files, warnings_of


class UsedFilter(admin.SimpleListFilter):
    title = "是否有讲话"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "有讲话"), ("no", "无讲话")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(n__gt=0) if self.value() == "yes" else queryset.filter(n=0)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the pipeline owns: edits would bypass the index and be lost on re-ingest."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    """The pipeline's topics (loading.sync_topics writes them from its table): a topic
    deleted or renamed here came back at the next ingest, its speeches untagged meanwhile."""

    list_display = ("name", "slug", "speech_count")
    list_filter = (UsedFilter,)
    search_fields = ("name", "slug", "description")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("speeches"))

    @admin.display(description="讲话数", ordering="n")
    def speech_count(self, obj):
        return obj.n

    @admin.display(description="来源文件", ordering="original_name")
    def shown(self, obj):
        # Its title as the site shows it (the archive's in brackets), and always the file's
        # name: the list showed a title for some and a file name for others.
        if obj.display_title == obj.original_name:
            return obj.original_name
        return format_html('{}<br><span class="quiet">{}</span>', obj.display_title, obj.original_name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented recipe for <input type=file multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.html,.htm,.zip"}))
        # Empty files are accepted here on purpose: they are kept and reported as failed.
        super().__init__(*args, allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="文件",
        help_text=(
            "可多选：.txt、.html、.htm，或这些文件的 .zip（UTF-8、GBK/GB18030、Big5、UTF-16 均可）。"
            f"一次最多 {settings.DATA_UPLOAD_MAX_NUMBER_FILES} 个文件，更多请打包成 .zip 上传。"
        ),
    )


_SPEECH_COUNT = (
    Speech.objects.filter(document=OuterRef("pk")).order_by().values("document").annotate(n=Count("pk")).values("n")
)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    # Why a file failed next to its status: last, it was past the list's edge at 1280 px.
    list_display = (
        "shown",
        "status",
        "short_error",
        "speech_count",
        "encoding",
        "size_shown",
        "created_at",
        "uploaded_by",
    )
    # Only those who uploaded something: the list named every account, researchers too.
    list_filter = ("status", "encoding", "created_at", ("uploaded_by", admin.RelatedOnlyFieldListFilter))
    search_fields = ("original_name", "title", "supplied_title", "sha256", "error")
    date_hierarchy = "created_at"
    # Everything a document holds comes from its bytes and the pipeline: a hand edit
    # would be lost at the next re-ingest, so none is offered (correct by re-ingesting).
    readonly_fields = (
        "original_name",
        "title",
        "supplied_title",
        "sha256",
        "size",
        "encoding",
        "encoding_confidence",
        "status",
        "error",
        "report_shown",
        "pipeline_version",
        "preamble",
        "trailer",
        "fragments",
        "uploaded_by",
        "created_at",
        "updated_at",
        "ingested_at",
        "raw_link",
        "speech_links",
    )
    exclude = ("raw", "report")  # the report is shown in words (report_shown)
    actions = ["reingest", "reindex"]

    def get_queryset(self, request):
        # The raw bytes (up to INGEST_MAX_BYTES a row) are never loaded for a list. The
        # speeches are counted in a subquery: annotate(Count("speeches")) made every query
        # of the list (the dates, the encoding filter) group by each column, the raw bytes
        # too, once per speech; on SQLite a 16 MB document of 7,566 speeches took the list
        # 145 s, past the web server's timeout.
        return (
            super()
            .get_queryset(request)
            .defer("raw")
            .annotate(n=Coalesce(Subquery(_SPEECH_COUNT, output_field=IntegerField()), 0))
            .select_related("uploaded_by")
        )

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:speeches_document_upload")  # a document is added by uploading its bytes

    @admin.display(description="处理报告")
    def report_shown(self, obj):
        """The pipeline's report in words, as the document's page and the upload page say
        it: every step, then the warnings (it was the stored JSON, keys in English)."""
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", step_rows(obj.report or {}))
        warnings = format_html_join("", "<li>{}</li>", ((w,) for w in warnings_of(obj.report or {})))
        if not rows and not warnings:
            return "—"
        return format_html(
            '<table class="report">{}</table>{}', rows, format_html("<ul>{}</ul>", warnings) if warnings else ""
        )

    @admin.display(description="讲话数", ordering="n")
    def speech_count(self, obj):
        return obj.n

    @admin.display(description="来源文件", ordering="original_name")
    def shown(self, obj):
        # Its title as the site shows it (the archive's in brackets), and always the file's
        # name: the list showed a title for some and a file name for others.
        if obj.display_title == obj.original_name:
            return obj.original_name
        return format_html('{}<br><span class="quiet">{}</span>', obj.display_title, obj.original_name)

    @admin.display(description="原因")
    def short_error(self, obj):
        return obj.error if len(obj.error) <= 80 else obj.error[:79] + "…"

    @admin.display(description="大小", ordering="size")
    def size_shown(self, obj):
        return size_text(obj.size)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: the page shows a document, it has nothing to save.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="原始字节")
    def raw_link(self, obj):
        return format_html(
            '<a href="{}">下载原始字节（{}）</a>', reverse("document-raw", args=[obj.pk]), obj.original_name
        )

    @admin.display(description="讲话")
    def speech_links(self, obj):
        # A copy says so, with the speech it copies, as the upload report does: listed
        # bare, an upload's copies looked like speeches of their own.
        speeches = obj.speeches.select_related("duplicate_of").order_by("ordinal")
        lines = [render_to_string("admin/speeches/includes/speech_line.html", {"s": s}).strip() for s in speeches]
        return mark_safe("<br>".join(lines)) if lines else "—"

    # ---- upload -----------------------------------------------------------------

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="speeches_document_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
        reports = None
        if form.is_bound and form.is_valid():
            # One file in memory at a time (Django spooled the big ones to disk).
            files = ((f.name, f.read()) for f in form.cleaned_data["files"])
            reports = upload_files(files, request.user)
            self.message_user(request, summary_of(reports), summary_level(reports))
            for report in reports:  # each file's upload in its document's history
                if report["document"] is not None:
                    self.log_change(request, report["document"], f"上传 {report['name']}：{report['status_label']}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "reports": reports,
            "title": "上传网页文件",
            "inline_max_mb": settings.INGEST_INLINE_MAX_BYTES / 2**20,
            "max_mb": settings.INGEST_MAX_BYTES / 2**20,
        }
        return TemplateResponse(request, "admin/speeches/document/upload.html", context)

    # ---- actions ----------------------------------------------------------------

    def _confirmed(self, request, queryset, action: str, title: str, explanation: str):
        """None once the admin confirmed on the page this returns (as Django's delete asks):
        an action ran as soon as it was chosen, and one slip re-parsed a thousand files."""
        if request.POST.get("post") == "yes":
            return None
        select_across = request.POST.get("select_across") == "1"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "documents": queryset[:SHOWN_TO_CONFIRM],
            "more": max(0, queryset.count() - SHOWN_TO_CONFIRM),
            # "All N" across the list's pages is passed on as such: an id each was more
            # fields than a request may carry (Django's 1000), and the confirmation a 400.
            "select_across": select_across,
            "ids": [] if select_across else queryset.values_list("pk", flat=True),
            "first_id": request.POST.get(admin.helpers.ACTION_CHECKBOX_NAME, ""),
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/speeches/document/action_confirm.html", context)

    @admin.action(description="用当前流程重新入库（永久编号不变）", permissions=["change"])
    def reingest(self, request, queryset):
        asking = self._confirmed(
            request,
            queryset,
            "reingest",
            "重新入库",
            f"用当前流程重新解析以下 {queryset.count()} 个文件：讲话的永久编号不变，文字、标题和描述按当前流程重写。",
        )
        if asking is not None:
            return asking
        reports = []
        # The request's allowance of bytes and time, the kept zips' too (uploads.Allowance).
        allowance = Allowance.for_request()
        busy = queryset.filter(status=Document.Status.PROCESSING)
        if busy.exists():  # a worker is ingesting them right now; a second ingest beside it would race
            self.message_user(request, f"{busy.count()} 个文档正在后台处理，已跳过", messages.WARNING)
        # Parsed in a child process, as uploads are: the pipeline's models never stay in
        # a web worker (one re-ingest grew it from 278 to 588 MB). One child for the
        # action, the kept zips' pages too.
        parsing = child_parser(allowance.seconds_left, in_request=True)
        with parsing if settings.INGEST_INLINE_IN_CHILD else nullcontext(None) as parser:
            for document in queryset.exclude(status=Document.Status.PROCESSING):
                raw, name = bytes(document.raw), document.original_name
                if is_zip(name, raw):  # a kept zip is expanded again, its pages parsed again
                    reports.extend(
                        upload_files([(name, raw)], request.user, force=True, allowance=allowance, parser=parser)
                    )
                    continue
                result = ingest_bytes(raw, name, force=True, inline_max=allowance.inline_max(), parser=parser)
                allowance.spent(result, len(raw))
                reports.append(file_report(name, result))
                self.log_change(request, document, f"重新入库：{reports[-1]['status_label']}")
        self.message_user(request, summary_of(reports), summary_level(reports))
        for report in reports:
            if report["status"] in ("failed", "kept"):
                # "文件" first: the admin capitalises a message's first letter (Empty.txt).
                level = messages.ERROR if report["status"] == "failed" else messages.WARNING
                self.message_user(request, f"文件 {report['name']}：{report['message']}", level)

    @admin.action(description="重建所选文档的索引", permissions=["change"])
    def reindex(self, request, queryset):
        asking = self._confirmed(
            request, queryset, "reindex", "重建索引", f"重新写入以下 {queryset.count()} 个文件的讲话的检索索引。"
        )
        if asking is not None:
            return asking
        done = 0
        skipped = queryset.exclude(status=Document.Status.INGESTED).count()
        if skipped:
            self.message_user(request, f"{skipped} 个文件未入库，没有讲话可建索引，已跳过", messages.WARNING)
        for document in queryset.filter(status=Document.Status.INGESTED):
            try:
                done += index_document(document.pk)
            except IndexBusy as error:
                self.message_user(request, f"索引忙，请稍后再试（{error}）", messages.WARNING)
                return
        self.message_user(request, f"已重建索引：{done} 篇讲话")

    def get_deleted_objects(self, objs, request):
        # Speeches and sections cannot be deleted on their own (ReadOnlyAdmin) but go
        # with their document; without this Django would refuse the document's delete.
        # What is listed is a summary: Django's list named every similarity band and
        # topic row (448 lines for one document) and not what happens to the links.
        _, _, perms_needed, protected = super().get_deleted_objects(objs, request)
        owned = {str(Speech._meta.verbose_name), str(Section._meta.verbose_name)}
        documents = list(objs)
        speeches = {document.pk: document.speeches.count() for document in documents}
        summary = [f"{document}：讲话 {speeches[document.pk]} 篇，及其章节、主题" for document in documents]
        summary.append(
            "这些讲话的永久链接今后显示“已删除”（410）；另一来源文件中保存有副本的，转到该副本（301）。"
            "原始文件仍然保存，但 rebuild_from_raw 不会把它恢复；重新上传即可恢复。"
        )
        counts = {"来源文件": len(documents), "讲话": sum(speeches.values())}
        return summary, counts, perms_needed - owned, protected

    def delete_model(self, request, obj):
        remove_document(obj)  # also removes its speeches from the index, after commit

    def delete_queryset(self, request, queryset):
        for document in queryset:
            remove_document(document)


def summary_of(reports: list[dict]) -> str:
    counts = {
        status: sum(1 for r in reports if r["status"] == status)
        for status in ("ingested", "unchanged", "queued", "failed", "skipped", "kept")
    }
    speeches = sum(r["speech_count"] for r in reports if r["status"] == "ingested")
    copies = sum(r["duplicates"] for r in reports if r["status"] == "ingested")
    held = f"{speeches} 篇讲话，其中重复 {copies} 篇" if copies else f"{speeches} 篇讲话"
    # Items, not files: a zip's pages and the files it left out are each one, and a zip
    # kept whole because it left some out is one more (its pages are in already).
    zipped = any(".zip/" in r["name"].lower() or r["status"] == "skipped" for r in reports)
    return (
        f"{len(reports)} 项{'（压缩包内的文件各算一项）' if zipped else ''}：入库 {counts['ingested']}（{held}），"
        f"已存在 {counts['unchanged']}，排队 {counts['queued']}，失败 {counts['failed']}，跳过 {counts['skipped']}"
        + (f"，原样保存的压缩包 {counts['kept']}" if counts["kept"] else "")
    )


def summary_level(reports: list[dict]) -> int:
    return messages.WARNING if any(r["status"] in {"failed", "skipped", "kept"} for r in reports) else messages.SUCCESS


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("ordinal", "level", "heading", "first_paragraph")
    readonly_fields = fields
    can_delete = False


class SpeechTopicInline(admin.TabularInline):
    model = SpeechTopic
    extra = 0
    readonly_fields = ("topic", "score")
    can_delete = False


# Files named on an action's confirmation page; the rest are counted.
SHOWN_TO_CONFIRM = 50


class DocumentStatusFilter(admin.SimpleListFilter):
    """The status of the speech's document, named so: the field's own filter read 以 状态,
    as if a speech had a status of its own."""

    title = "来源文件状态"
    parameter_name = "document_status"

    def lookups(self, request, model_admin):
        return Document.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(document__status=self.value()) if self.value() else queryset


@admin.register(Speech)
class SpeechAdmin(ReadOnlyAdmin):
    list_display = ("title", "public_id", "document", "ordinal", "year", "char_count", "duplicate_of")
    list_filter = ("year", "speaker_level", "genre", "topics", DocumentStatusFilter)
    search_fields = ("title", "public_id", "text", "document__original_name")
    list_select_related = ("document", "duplicate_of")
    inlines = [SpeechTopicInline, SectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__raw")


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "speech", "ordinal", "level", "first_paragraph")
    list_filter = ("level", "speech__year", "speech__genre")
    search_fields = ("heading", "text", "speech__title", "speech__public_id")
    list_select_related = ("speech",)


ALIAS_REASONS = {"deleted": "来源文件已删除", "merged": "已并入另一篇", "removed": "重新入库后不再存在"}


@admin.register(SpeechAlias)
class SpeechAliasAdmin(ReadOnlyAdmin):
    """Old links, for finding and reading: the loader and remove_document keep them, with
    the id history beside each raw file (id_history.py). A hand edit could point a live
    speech's id elsewhere or turn an explained 410 into a bare 404, and a rebuild from the
    raw files would not know it."""

    list_display = ("public_id", "speech", "reason_shown", "document", "created_at")
    list_filter = ("reason",)
    search_fields = ("public_id", "title")
    raw_id_fields = ("speech", "document")

    @admin.display(description="原因", ordering="reason")
    def reason_shown(self, obj):
        return ALIAS_REASONS.get(obj.reason, obj.reason)
