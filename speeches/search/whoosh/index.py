"""What of a speech goes into the Whoosh index (haystack finds it through
speeches/search_indexes.py). Texts stay in the database."""

from django.db.models import F
from haystack import indexes

from ...models import Speech, place_keys
from ..analysis import source_digest


class SpeechIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    title = indexes.CharField(model_attr="searched_title", boost=2.0)
    public_id = indexes.CharField(model_attr="public_id")
    year = indexes.IntegerField(model_attr="year", null=True)
    length = indexes.IntegerField(model_attr="char_count")
    # Equal scores and equal years are ordered by this (the earlier stored first), as the
    # PostgreSQL engine orders them, whatever document numbers a rebuild hands out.
    speech_pk = indexes.IntegerField(model_attr="pk")
    topics = indexes.MultiValueField()
    document = indexes.CharField()
    level = indexes.CharField(model_attr="speaker_level", null=True)
    genre = indexes.CharField(model_attr="genre", null=True)
    office = indexes.CharField(model_attr="office", null=True)
    places = indexes.MultiValueField()
    occasion = indexes.CharField(model_attr="occasion", null=True)
    canonical = indexes.BooleanField()
    # A copy's entry names the speech it copies, so the copy's text finds that speech.
    copy_of = indexes.CharField(null=True)
    # What the entry was made from (analysis.source_digest), for `manage.py check_index`:
    # the text is not stored, so a text changed outside the loader shows by this alone.
    source = indexes.CharField()

    def get_model(self):
        return Speech

    def index_queryset(self, using=None):
        # Only document_id is indexed: a join would carry each source file's raw bytes along.
        return Speech.objects.prefetch_related("topics").annotate(copy_of_public_id=F("duplicate_of__public_id"))

    def prepare_text(self, obj: Speech) -> str:
        return f"{obj.searched_title}\n{obj.text}"

    def prepare_source(self, obj: Speech) -> str:
        return source_digest(obj.searched_title, obj.text)

    def prepare_topics(self, obj: Speech) -> list[str]:
        return [topic.slug for topic in obj.topics.all()]

    def prepare_places(self, obj: Speech) -> list[str]:
        return place_keys(obj.region)

    def prepare_document(self, obj: Speech) -> str:
        return str(obj.document_id)

    def prepare_canonical(self, obj: Speech) -> bool:
        return obj.duplicate_of_id is None

    def prepare_copy_of(self, obj: Speech) -> str | None:
        if obj.duplicate_of_id is None:
            return None
        found = getattr(obj, "copy_of_public_id", None)
        return found if found is not None else obj.duplicate_of.public_id
