"""The archive's rows: source documents, the speeches found in them, their sections, topics.

The pure pipeline (speeches.ingest) knows nothing of these; speeches.loading turns
its ParsedDocument into rows.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Left, Length
from django.urls import reverse


class Topic(models.Model):
    slug = models.SlugField("标识", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("topic", args=[self.slug])

    def to_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name}


class DocumentQuerySet(models.QuerySet):
    def ingested(self):
        return self.filter(status=Document.Status.INGESTED)

    def public(self):
        """The documents anyone may see and have named: in the archive, also while one
        waits to be parsed again (its speeches stay public). A failed upload, or a new
        one not yet parsed, may hold anything, and its id is guessable."""
        return self.filter(
            models.Q(status=Document.Status.INGESTED) | models.Q(status__in=LIVE_STATUSES, speeches__isnull=False)
        ).distinct()


class DocumentManager(models.Manager.from_queryset(DocumentQuerySet)):
    """Documents without their raw bytes (up to 16 MB each), which only the loader, the
    raw-file view and re-ingest read: `document.raw` fetches them when asked. A page
    of 50 documents fetched every file whole before."""

    def get_queryset(self):
        return super().get_queryset().defer("raw")


class Document(models.Model):
    """One uploaded source file. Its raw bytes are kept forever so it can be re-ingested."""

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        QUEUED = "queued", "排队中"
        PROCESSING = "processing", "处理中"
        INGESTED = "ingested", "已入库"
        FAILED = "failed", "失败"

    original_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    raw = models.BinaryField("原始字节")
    size = models.PositiveIntegerField("大小（字节）", default=0)
    encoding = models.CharField("编码", max_length=32, blank=True)
    encoding_confidence = models.FloatField("编码置信度", null=True, blank=True)
    title = models.CharField("标题", max_length=500, blank=True)
    # Made by the archive when the page has no title (pipeline.supply_document_title).
    supplied_title = models.CharField("补拟标题", max_length=500, blank=True)
    preamble = models.TextField("页首文字", blank=True)
    # Site text after the last speech ("相关文章…") and pieces too short to be speeches.
    trailer = models.TextField("页尾文字", blank=True)
    fragments = models.JSONField("过短的片段", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    error = models.TextField("原因", blank=True)
    report = models.JSONField("处理报告", default=dict, blank=True)
    pipeline_version = models.CharField("流程版本", max_length=32, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传者",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    ingested_at = models.DateTimeField("入库时间", null=True, blank=True)

    objects = DocumentManager()

    class Meta:
        verbose_name = "来源文件"
        verbose_name_plural = "来源文件"
        ordering = ["-created_at", "-id"]
        # speech.document and other related access go through it too: the manager
        # only defers the raw bytes, it hides no row.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return self.title or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("document", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title_of(self.title, self.supplied_title, self.original_name)

    @staticmethod
    def title_of(title: str, supplied_title: str, original_name: str) -> str:
        """The page's title; else the archive's, in brackets; else the file's name."""
        return title or (f"[{supplied_title}]" if supplied_title else original_name)

    def to_dict(self) -> dict:
        return {
            "id": self.pk,
            "url": self.get_absolute_url(),
            "title": self.display_title,
            "original_name": self.original_name,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "status": self.status,
        }


class SpeechQuerySet(models.QuerySet):
    def canonical(self):
        """Each speech once: duplicates point to their canonical speech."""
        return self.filter(duplicate_of__isnull=True)

    def with_document(self):
        """Each speech with its source document, without the document's raw bytes: a
        join does not go through Document's manager, which defers them elsewhere."""
        return self.select_related("document").defer("document__raw")

    def for_listing(self):
        return self.with_document().prefetch_related("topics")

    def for_page(self):
        """What a speech page or its API answer shows: the source, the original, topics, sections."""
        return self.with_document().select_related("duplicate_of").prefetch_related("topics", "sections")


def place_keys(place: str) -> list[str]:
    """The values a place is filed under: "湖北·襄阳" under 湖北 and 湖北·襄阳."""
    parts = place.split("·") if place else []
    return ["·".join(parts[: n + 1]) for n in range(len(parts))]


# Documents whose speeches readers find: in the archive, or waiting to be parsed again (a
# re-ingest queued for the upload worker keeps its speeches, pages and search entries until
# the new ones replace them). Search engines index these, check_index expects them.
LIVE_STATUSES = (Document.Status.INGESTED, Document.Status.QUEUED, Document.Status.PROCESSING)


class Speech(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="speeches", verbose_name="来源文件")
    ordinal = models.PositiveIntegerField("序号")
    # The permanent id in /speeches/<public_id>/: see speeches.ingest.identity.
    public_id = models.CharField("永久编号", max_length=16, unique=True)
    title = models.CharField("标题", max_length=500)
    text = models.TextField("正文", help_text="修复并转为简体后的文字（检索和阅读所用）。")
    original_text = models.TextField("来源原文", help_text="来源文件中的原样文字（修复前）。")
    year = models.PositiveSmallIntegerField("年份", null=True, blank=True, db_index=True)
    char_count = models.PositiveIntegerField("字数", default=0)
    occasion = models.CharField("场合", max_length=255, blank=True)
    speaker_level = models.CharField("讲话人级别", max_length=16, blank=True, db_index=True)
    genre = models.CharField("体裁", max_length=16, blank=True, db_index=True)
    # The place, "湖北·襄阳" or "广东" (speeches/ingest/attribution.py find_place).
    region = models.CharField("地点", max_length=64, blank=True, db_index=True)
    # Who, when and where, as the text states or implies them; `attribution` keeps each
    # value's standing (stated, inferred, unknown), rule and evidence.
    speaker = models.CharField("讲话人", max_length=32, blank=True, db_index=True)
    office = models.CharField("职务", max_length=32, blank=True, db_index=True)
    date = models.CharField(
        "日期", max_length=21, blank=True, help_text="YYYY、YYYY-MM、YYYY-MM-DD，或范围 YYYY/YYYY。"
    )
    attribution = models.JSONField("归属依据", default=dict, blank=True)
    # The title is the archive's, made from the speech's meeting or topic (cited in brackets).
    title_supplied = models.BooleanField("题名为本馆所拟", default=False)
    # The archive's words at the end of the title, in square brackets there, that tell
    # apart speeches of one file sharing the page's title (ingest/attribution.py tell_apart).
    title_qualifier = models.CharField("题名补充", max_length=100, blank=True)
    keywords = models.JSONField("关键词", default=list, blank=True)
    fingerprint = models.CharField("内容指纹", max_length=64, blank=True, db_index=True)
    # MinHash of the text (speeches.ingest.dedupe), for near-duplicates across documents.
    signature = models.JSONField("相似度签名", default=list, blank=True)
    # "exact", "near" or "partial" when duplicate_of is set.
    duplicate_kind = models.CharField("重复类型", max_length=16, blank=True)
    subtitle = models.CharField("副标题", max_length=255, blank=True)
    # The title as scraped; `title` is what we show, made from the content when the
    # scraped one does not match it (see title_trusted).
    source_title = models.CharField("来源标题", max_length=500, blank=True)
    # False when the scraped title does not match the content (000: every speech titled 森林防火).
    title_trusted = models.BooleanField("标题可信", default=True)
    # What survives of a speech the page lost (残篇): shown as such on its page and in the API.
    is_fragment = models.BooleanField("残篇", default=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates", verbose_name="重复于"
    )
    topics = models.ManyToManyField(
        Topic, through="SpeechTopic", related_name="speeches", blank=True, verbose_name="主题"
    )
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SpeechQuerySet.as_manager()

    class Meta:
        verbose_name = "讲话"
        verbose_name_plural = "讲话"
        ordering = ["document_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["document", "ordinal"], name="speech_unique_ordinal"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("speech", args=[self.public_id])

    @property
    def searched_title(self) -> str:
        """The title as search reads it: the source's. A title the archive supplied
        ([关于水利的讲话], shown in brackets) is not the speech's words, and counting it
        made 关于 match 18 speeches of the sample that never say it; nor are the words it
        added to tell same-titled speeches apart (外宣工作会议上的讲话稿[雨山], …[其一]).
        SEARCHED_TITLE below is the same in SQL."""
        if self.title_supplied:
            return ""
        return self.title[: -len(self.title_qualifier) - 2] if self.title_qualified else self.title

    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n") if p.strip()]

    def standing(self, name: str) -> str:
        """ "stated", "inferred" or "unknown" for speaker, office, date, place or occasion."""
        return (self.attribution or {}).get(name, {}).get("standing", "unknown")

    def evidence(self, name: str) -> dict:
        return (self.attribution or {}).get(name, {})

    @property
    def date_standing(self) -> str:
        """The date's standing, "" when the speech is undated (kept in `attribution`)."""
        return self.standing("date") if self.date else ""

    @property
    def shown_title(self) -> str:
        """The title as pages show it in running text: a title the archive supplied in
        square brackets ([关于作风建设的讲话])."""
        return f"[{self.title}]" if self.title_supplied else self.title

    @property
    def title_with_year(self) -> str:
        """shown_title and the year as a list shows it (2016年, inferred 2016年?): a feed's
        items, a digest's lines. A title told apart by its year (…（2022年）) says it once."""
        if not self.year or f"{self.year}年" in self.title:
            return self.shown_title
        return f"{self.shown_title}（{self.year}年{'?' if self.date_standing == 'inferred' else ''}）"

    @property
    def inferred(self) -> frozenset[str]:
        """Which of speaker, office and place the archive inferred (the source does not say
        it): their meta line and summary mark them as the year's is ("?")."""
        return frozenset(name for name in ("speaker", "office", "place") if self.standing(name) == "inferred")

    @property
    def title_qualified(self) -> bool:
        """The page's title with the archive's words in square brackets after it, telling
        apart speeches of one file that share it (speeches/ingest/attribution.py tell_apart)."""
        return not self.title_supplied and bool(self.title_qualifier)

    @property
    def date_label(self) -> str:
        """The date as a reader sees it: 2019年, 2017年3月10日, 2020—2022年, "" if unknown."""
        if not self.date:
            return ""
        if "/" in self.date:
            first, last = self.date.split("/")
            return f"{first}—{last}年"
        parts = [int(p) for p in self.date.split("-")]
        return "".join(f"{n}{unit}" for n, unit in zip(parts, "年月日", strict=False))

    def to_dict(self, sections: bool = False) -> dict:
        data = {
            "id": self.public_id,
            "url": self.get_absolute_url(),
            "title": self.title,
            "text": self.text,
            "original_text": self.original_text,
            "topics": [t.name for t in self.topics.all()],
            "year": self.year,
            "document": self.document.to_dict(),
            "duplicate_of": self.duplicate_of.public_id if self.duplicate_of_id else None,
            "fragment": self.is_fragment,
            "title_supplied": self.title_supplied,
            "speaker": self.speaker or None,
            "office": self.office or None,
            "date": {"value": self.date or None, "standing": self.date_standing or "unknown"},
            "place": self.region or None,
            "attribution": self.attribution or {},
        }
        if sections:
            data["sections"] = [s.to_dict() for s in self.sections.all()]
        return data


YEARS_HELD = "speeches:years-held"
YEARS_HELD_SECONDS = 300


def years_held() -> dict[str, int]:
    """The archive's speeches per year, each once, copies apart: the search page's chart
    leaves a year the archive holds no speech of blank, as the trends page does, instead of
    drawing it as 0 hits. Kept in the cache (a GROUP BY over 100,000 speeches takes 0.2 s
    on SQLite) until a load or a deletion in this process forgets it (forget_years_held),
    and five minutes at most: the cache is each process's own (no CACHES is set), and the
    upload worker's loads cannot reach the web workers'."""
    held = cache.get(YEARS_HELD)
    if held is None:
        rows = Speech.objects.canonical().exclude(year=None).values_list("year").annotate(n=models.Count("id"))
        held = {str(year): n for year, n in rows}
        cache.set(YEARS_HELD, held, YEARS_HELD_SECONDS)
    return held


def forget_years_held() -> None:
    """Now, and once the transaction that changes speeches commits (a page asking between
    the two would keep the years from before it)."""
    cache.delete(YEARS_HELD)
    transaction.on_commit(lambda: cache.delete(YEARS_HELD))


# Speech.searched_title in a query, for values_list.
SEARCHED_TITLE = Case(
    When(title_supplied=True, then=Value("")),
    When(~Q(title_qualifier=""), then=Left("title", Length("title") - Length("title_qualifier") - 2)),
    default=F("title"),
    output_field=models.CharField(),
)


class SpeechBand(models.Model):
    """One LSH band key of a speech's MinHash: speeches sharing a key are near-duplicate
    candidates, found by an indexed equality lookup instead of comparing every pair."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="bands")
    key = models.CharField(max_length=40, db_index=True)

    class Meta:
        verbose_name = "相似度分桶"
        verbose_name_plural = "相似度分桶"


class SpeechTopic(models.Model):
    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, verbose_name="讲话")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, verbose_name="主题")
    score = models.FloatField("得分", default=0.0)

    class Meta:
        verbose_name = "讲话主题"
        verbose_name_plural = "讲话主题"
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["speech", "topic"], name="speech_topic_once")]

    def __str__(self) -> str:
        return f"{self.topic}（{self.score:.2f}）" if self.topic_id else "讲话主题"


class Section(models.Model):
    """A part of a speech under one heading; level 0 is the untitled opening."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="sections")
    ordinal = models.PositiveIntegerField()
    heading = models.CharField(max_length=500, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(blank=True)
    # Number of the section's first paragraph within the speech, so that
    # paragraph anchors (#p12) are the same on the page and in the API.
    first_paragraph = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["speech_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["speech", "ordinal"], name="section_unique_ordinal"),
        ]

    def __str__(self) -> str:
        return self.heading or f"§{self.ordinal}"

    @property
    def heading_tag(self) -> str:
        """h2 for a section, h3 for one under it, …: the page's h1 is the speech's title.
        At the level speech_views.outlined sets where it shows the speech."""
        return f"h{min(6, 1 + max(1, getattr(self, 'shown_level', self.level)))}"

    @property
    def anchor(self) -> str:
        return f"s{self.ordinal}"

    def paragraphs(self) -> list[tuple[str, str]]:
        """(anchor, text) for each paragraph of this section."""
        lines = [p for p in self.text.split("\n") if p.strip()]
        return [(f"p{self.first_paragraph + i}", line) for i, line in enumerate(lines)]

    def to_dict(self) -> dict:
        return {"heading": self.heading, "level": self.level, "text": self.text, "anchor": self.anchor}


class SpeechAlias(models.Model):
    """A public id that no longer names a speech of its own.

    Created when a re-ingest merges, splits or drops a speech, so that a
    bookmarked /speeches/<id>/ answers a redirect to its successor, or a page
    saying what happened, never a bare 404.
    """

    public_id = models.CharField("永久编号", max_length=16, unique=True)
    speech = models.ForeignKey(
        Speech, null=True, blank=True, on_delete=models.SET_NULL, related_name="aliases", verbose_name="转至讲话"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="来源文件"
    )
    title = models.CharField("标题", max_length=500, blank=True)
    reason = models.CharField("原因", max_length=255, blank=True)
    # The speech the id named when it became an alias, so that a later re-ingest can
    # point it at the speech holding most of that text, or give the id back when the
    # text comes back (speeches/ingest/continuity.py). Empty for aliases made before.
    text = models.TextField("当时的正文", blank=True)
    fingerprint = models.CharField("内容指纹", max_length=64, blank=True)
    ordinal = models.PositiveIntegerField("序号", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "旧链接"
        verbose_name_plural = "旧链接"

    def __str__(self) -> str:
        return f"{self.public_id} → {self.speech.public_id if self.speech_id else '—'}"


class Bookmark(models.Model):
    """A researcher's bookmark of a speech or one of its paragraphs.

    It stores the speech's permanent public id, not a foreign key to a row:
    re-ingests replace Speech rows, and a bookmark must survive them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    public_id = models.CharField(max_length=16, db_index=True)
    paragraph = models.CharField(max_length=16, blank=True, help_text="Paragraph anchor such as p12, or empty.")
    # Paragraph numbers can shift when a re-ingest rejoins or splits paragraphs; the
    # opening words let speeches.bookmarks find the bookmarked paragraph again.
    excerpt = models.CharField(max_length=100, blank=True, help_text="Opening of the bookmarked paragraph.")
    title = models.CharField(max_length=500, blank=True, help_text="The speech's title when bookmarked.")
    # Whether the archive supplied that title: cited once the speech is gone, it must stay
    # bracketed ([关于扶贫的讲话]). None for bookmarks saved before it was kept.
    title_supplied = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)
    tags = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "书签"
        verbose_name_plural = "书签"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "public_id", "paragraph"], name="bookmark_once_per_place"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id}#{self.paragraph}" if self.paragraph else self.public_id

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]


class MailConfirmation(models.Model):
    """Whether the owner of a researcher's address agreed to the search digest
    (speeches/mail_confirmation.py). Anyone may sign up with any address, and a digest
    quotes the searches' words: without the owner's click the site would mail a
    stranger's text to whoever was named."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_confirmation")
    address = models.EmailField("邮箱", max_length=254)
    asked_at = models.DateTimeField("发出确认邮件", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认于", null=True, blank=True)

    class Meta:
        verbose_name = "通知邮箱确认"
        verbose_name_plural = "通知邮箱确认"

    def __str__(self) -> str:
        return self.address


class SavedSearch(models.Model):
    """A researcher's search, kept so that speeches which newly match it are mailed to
    them (speeches/digest.py) and listed on their page (speeches/alerts.py).

    `query` is the search page's own query string (speeches.search.SearchParams.url,
    without page and sort, which do not change what matches), so saving the same
    search twice finds the one row. It starts from the moment it is saved: speeches
    that arrived up to `checked_at` (SpeechArrival) have been looked at for it.
    """

    # Longer query strings are refused when saving (speeches/alerts.py): PostgreSQL's
    # unique index holds about 2,700 bytes per entry.
    QUERY_MAX = 2000

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    query = models.CharField(max_length=QUERY_MAX)
    label = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "保存的检索"
        verbose_name_plural = "保存的检索"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="savedsearch_once_per_user")]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return f"{reverse('search')}?{self.query}"

    @property
    def feed_url(self) -> str:
        return f"{reverse('search-feed')}?{self.query}"


class PendingRemoval(models.Model):
    """A removed document whose entries the Whoosh index still holds: the update after
    the commit found the index busy (or the process died first). A document that is still
    there carries its mark on itself (index_check.PENDING_MARK); a removed one has no row
    to carry it, and its speeches stayed searchable (a count of 3 with no result) until
    `check_index --fix`. The worker removes the entries (index_check.retry_pending)."""

    document_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "待从索引删除的文件"
        verbose_name_plural = "待从索引删除的文件"


class EngineState(models.Model):
    """Whether a search engine (settings.SEARCH_ENGINE) holds every change of the archive.
    After a switch without `manage.py reindex`, the engine switched to had missed every
    change made meanwhile, and the one switched from missed those made after, and each
    answered from what it held without a word (an upload not found, a deleted speech
    counted). Such an engine's searches say the index is being updated until `reindex`
    (speeches/indexing.py)."""

    name = models.CharField(max_length=20, unique=True)
    whole = models.BooleanField(default=True)
    since = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "检索引擎状态"
        verbose_name_plural = "检索引擎状态"


class SpeechArrival(models.Model):
    """When a public id first became searchable, as speeches/digest.py saw it.

    A re-ingest replaces Speech rows but keeps their public ids (and, since
    speeches/loading.py keeps them, the rows' numbers and created_at); a database
    rebuilt from the raw files (rebuild_from_raw) numbers them anew. Dated by public id,
    no pipeline upgrade or rebuild mails the archive as new. Copies are recorded too, so
    that a copy left on its own when its original is removed is not new either.
    """

    public_id = models.CharField(max_length=16, unique=True)
    arrived_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "讲话入库时间"
        verbose_name_plural = "讲话入库时间"

    def __str__(self) -> str:
        return f"{self.public_id} @ {self.arrived_at:%Y-%m-%d %H:%M}"


class TsVector(models.Field):
    """PostgreSQL's tsvector, written in its text form (speeches.search.postgres.rows)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchRow(models.Model):
    """A speech's text as the PostgreSQL search engine indexes it (its rows.py says how).

    The table exists in every database, so migrations and deletes are the same
    everywhere; only that engine fills it, in the transaction that writes the speech.
    Its full-text index (RUM where the extension is installed, GIN otherwise) is made
    on PostgreSQL only, by migrations/0007_searchrow.py.
    """

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="+", db_index=False)
    part = models.PositiveSmallIntegerField()  # 0: the title; 1, 2, ...: chunks of title and text
    lead = models.PositiveSmallIntegerField(default=0)
    body = models.TextField()
    words = TsVector()
    grams = TsVector()
    # What the speech's rows were made from, the same on each of them, so that
    # `manage.py check_index` sees rows left behind by a text or title changed outside
    # the loader (analysis.source_digest; "" for rows written before it was recorded),
    # and how many rows the speech was given, so that it sees rows deleted.
    source = models.CharField(max_length=32, default="")
    parts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["speech", "part"], name="searchrow_speech_part")]
