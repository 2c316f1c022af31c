from django.contrib import admin
from django.db.models import Count

from .models import Document, Section, Speech, SpeechAlias, SpeechTopic, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "speech_count")
    search_fields = ("name", "slug")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("speeches"))

    @admin.display(description="讲话数", ordering="n")
    def speech_count(self, obj):
        return obj.n


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "speech_count", "encoding", "created_at", "uploaded_by")
    list_filter = ("status", "encoding")
    search_fields = ("original_name", "title", "sha256")
    readonly_fields = ("sha256", "size", "encoding", "encoding_confidence", "status", "error", "report",
                       "pipeline_version", "uploaded_by", "created_at", "updated_at", "ingested_at")
    exclude = ("raw",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("speeches"))

    @admin.display(description="讲话数", ordering="n")
    def speech_count(self, obj):
        return obj.n


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("ordinal", "level", "heading", "first_paragraph")
    readonly_fields = fields
    can_delete = False


class SpeechTopicInline(admin.TabularInline):
    model = SpeechTopic
    extra = 0


@admin.register(Speech)
class SpeechAdmin(admin.ModelAdmin):
    list_display = ("title", "public_id", "document", "ordinal", "year", "char_count", "duplicate_of")
    list_filter = ("year", "speaker_level", "genre", "topics")
    search_fields = ("title", "public_id", "text")
    list_select_related = ("document", "duplicate_of")
    raw_id_fields = ("document", "duplicate_of")
    readonly_fields = ("public_id", "fingerprint", "created_at", "updated_at")
    inlines = [SpeechTopicInline, SectionInline]


@admin.register(SpeechAlias)
class SpeechAliasAdmin(admin.ModelAdmin):
    list_display = ("public_id", "speech", "reason", "document", "created_at")
    search_fields = ("public_id", "title")
    raw_id_fields = ("speech", "document")
