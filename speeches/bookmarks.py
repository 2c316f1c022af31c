"""A signed-in researcher's bookmarks: add from a speech page, list and filter, edit, remove, export.

Every view requires login and reads only request.user's rows: someone else's
bookmark answers 404, as if it did not exist. Bookmarks hold permanent public ids,
so they keep working after a re-ingest replaced the speech rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import citation
from .forms import FocusFirstError
from .models import Bookmark, Speech, SpeechAlias
from .speech_views import AT_PARAGRAPH, citable, find_speech
from .spreadsheets import csv_response
from .views import int_param

PAGE_SIZE = 50
# A bookmarked paragraph's opening kept with the bookmark, and how much of it must match.
EXCERPT = 60
PROBE = 20
_TAG_SPLIT = re.compile(r"[,，、;；]")


def joined_tags(raw: str) -> str:
    """Split on Chinese and Western commas, keep each tag once: 疫情，基层治理 , 疫情 → 疫情, 基层治理."""
    tags = [t.strip() for t in _TAG_SPLIT.split(raw or "") if t.strip()]
    return ", ".join(dict.fromkeys(tags))


def normalize_tags(raw: str) -> str:
    """joined_tags, cut to the field's 500 characters."""
    return joined_tags(raw)[:TAGS_MAX]


# Django's own wording of these ("确保该变量包含不超过 500 字符") names no field and is
# no sentence a researcher would write.
_TOO_LONG = "{field}太长：最多 %(limit_value)d 个字符（现在 %(show_value)d 个）。"


NOTE_MAX = 2000
TAGS_MAX = 500  # Bookmark.tags


class BookmarkForm(FocusFirstError, forms.ModelForm):
    paragraph = forms.RegexField(regex=r"^p\d{1,6}$", required=False, max_length=16, label="段落")
    # As the speech page's form says (maxlength), whichever form the note comes from.
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="备注",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _TOO_LONG.format(field="备注")},
    )

    class Meta:
        model = Bookmark
        fields = ["paragraph", "note", "tags"]
        labels = {"paragraph": "段落", "note": "备注", "tags": "标签（用逗号分隔）"}
        # The model's help text is English ("Comma-separated."); the label says it.
        help_texts = {"tags": ""}
        error_messages = {"tags": {"max_length": _TOO_LONG.format(field="标签")}}

    def __init__(self, *args, anchors: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.anchors = anchors

    def clean_paragraph(self):
        """A paragraph the speech has (an anchor kept from before a re-ingest may stay)."""
        anchor = self.cleaned_data.get("paragraph", "")
        if anchor and self.anchors is not None and anchor not in self.anchors and anchor != self.instance.paragraph:
            raise forms.ValidationError(f"本篇没有第 {anchor[1:]} 段（共 {len(self.anchors)} 段）。")
        return anchor

    def clean_tags(self):
        return normalize_tags(self.cleaned_data.get("tags", ""))


def own_bookmarks(request):
    """The user's bookmarks, narrowed by ?tag= and ?q= (title or note)."""
    marks = Bookmark.objects.filter(user=request.user)
    words = request.GET.get("q", "").strip()
    if words:
        marks = marks.filter(Q(title__icontains=words) | Q(note__icontains=words) | Q(public_id=words))
    tag = request.GET.get("tag", "").strip()
    if tag:
        # Tags are one comma-separated field: narrow in SQL, then match whole tags only.
        marks = [m for m in marks.filter(tags__icontains=tag) if tag in m.tag_list]
    return list(marks)


@login_required
@require_POST
def bookmark_add(request):
    speech = find_speech(request.POST.get("public_id", ""))
    if speech is None:
        raise Http404("没有这篇讲话")
    existing = Bookmark.objects.filter(
        user=request.user, public_id=speech.public_id, paragraph=request.POST.get("paragraph", "").strip()
    ).first()
    # The speech page's form is empty whatever was saved before: saving the same place
    # again adds to its note and tags, never replaces them (a second save wiped both).
    before = (existing.note, existing.tags) if existing is not None else None
    paragraphs = dict(paragraphs_of(speech))
    form = BookmarkForm(request.POST, instance=existing, anchors=list(paragraphs))
    if not form.is_valid():
        reason = form.errors.get("paragraph", ["段落应写作 p12 这样的形式。"])[0]
        if "本篇没有" not in reason:
            reason = "段落应写作 p12 这样的形式。"
        messages.error(request, f"书签未保存：{reason}")
        return redirect(speech.get_absolute_url())
    mark = form.save(commit=False)
    if before is not None:
        old_note, old_tags = before
        if old_note and mark.note and mark.note not in old_note:
            mark.note = f"{old_note}\n{mark.note}"
        else:
            mark.note = old_note or mark.note
        tags = joined_tags(f"{old_tags},{mark.tags}")
        too_long = [
            f"{name}加上已有的超过 {limit} 个字符"
            for name, value, limit in (("备注", mark.note, NOTE_MAX), ("标签", tags, TAGS_MAX))
            if len(value) > limit
        ]
        if too_long:
            messages.error(request, f"书签未保存：{'，'.join(too_long)}，请在“我的书签”中编辑。")
            return redirect(speech.get_absolute_url())
        mark.tags = tags
    mark.user, mark.public_id, mark.title = request.user, speech.public_id, speech.title
    mark.title_supplied = speech.title_supplied
    mark.excerpt = paragraphs.get(mark.paragraph, "")[:EXCERPT]
    mark.save()
    done = "书签已更新，备注和标签已并入原有的" if before is not None else "已加入我的书签"
    if mark.paragraph:
        # Shown just above the paragraph the page opens at (speech_views.placed_messages).
        messages.success(request, f"{done}（第{mark.paragraph[1:]}段）。", extra_tags=AT_PARAGRAPH + mark.paragraph)
        return redirect(f"{speech.get_absolute_url()}#{mark.paragraph}")
    messages.success(request, f"{done}。")
    return redirect(speech.get_absolute_url())


@login_required
@require_GET
def bookmark_list(request):
    marks = own_bookmarks(request)
    page = Paginator(marks, PAGE_SIZE).get_page(int_param(request, "page", 1))
    all_tags = sorted({t for m in Bookmark.objects.filter(user=request.user).only("tags") for t in m.tag_list})
    context = {
        "page": page,
        "marks": resolve(list(page.object_list)),
        "count": len(marks),
        "all_tags": all_tags,
        "tag": request.GET.get("tag", ""),
        "q": request.GET.get("q", ""),
        "filters": request.GET.urlencode(),
    }
    return render(request, "speeches/bookmarks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def bookmark_edit(request, pk: int):
    mark = get_object_or_404(Bookmark, pk=pk, user=request.user)
    speech = find_speech(mark.public_id)
    anchors = [anchor for anchor, _ in paragraphs_of(speech)] if speech is not None else None
    form = BookmarkForm(request.POST or None, instance=mark, anchors=anchors)
    form.fields["paragraph"].widget = forms.HiddenInput()  # kept as it was; the page edits note and tags
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "书签已更新。")
        return redirect("bookmarks")
    # Its title bracketed as the list brackets it when the archive supplied it.
    supplied = speech is not None and speech.public_id == mark.public_id and speech.title_supplied
    return render(request, "speeches/bookmarks_edit.html", {"form": form, "mark": mark, "supplied": supplied})


@login_required
@require_http_methods(["GET", "POST"])
def bookmark_delete(request, pk: int):
    """GET asks (a note may hold hours of reading, and nothing brings it back); POST deletes."""
    mark = get_object_or_404(Bookmark, pk=pk, user=request.user)
    if request.method == "GET":
        return render(request, "speeches/bookmarks_delete.html", {"mark": mark})
    mark.delete()
    messages.success(request, "书签已删除。")
    return redirect("bookmarks")


def bookmark_url(request, mark: Bookmark) -> str:
    url = request.build_absolute_uri(f"/speeches/{mark.public_id}/")
    anchor = getattr(mark, "anchor", mark.paragraph)  # resolved by resolve() when it ran
    return f"{url}#{anchor}" if anchor else url


# The bookmark CSV's columns. Those after `created` were added later, last, so that the
# columns before keep their places. A value the archive cannot know (title_supplied and
# fragment of a speech no longer in it) is left empty, never False.
CSV_FIELDS = [
    "id",
    "paragraph",
    "title",
    "title_supplied",
    "url",
    "note",
    "tags",
    "created",
    "fragment",
    "status",  # "" | "moved" (the id leads to another speech) | "gone" (answers 410)
    "reason",  # the alias's: merged, removed (by a re-ingest), deleted (with its document)
    "moved_to",  # where a moved bookmark's link leads now
]


@login_required
@require_GET
def bookmark_export_csv(request):
    # title_supplied as in the search export: a title the archive wrote is never cited as
    # the source's (the BibTeX and RIS exports bracket it).
    rows = (_csv_row(request, mark) for mark in resolve(own_bookmarks(request)))
    return csv_response("bookmarks.csv", rows, CSV_FIELDS)


def _csv_row(request, mark: Bookmark) -> list:
    created = timezone.localtime(mark.created_at).isoformat(timespec="seconds")
    alias = mark.alias
    title = mark.title or (alias.title if alias is not None else "")
    supplied, fragment = ("" if flag is None else flag for flag in (mark.supplied, mark.fragment))
    own = [mark.public_id, mark.paragraph, title, supplied, bookmark_url(request, mark), mark.note, mark.tags, created]
    return own + [fragment, mark.status, alias.reason if alias is not None else "", _moved_to(request, mark)]


def _moved_to(request, mark: Bookmark) -> str:
    if mark.status != "moved":
        return ""
    url = request.build_absolute_uri(mark.speech.get_absolute_url())
    return f"{url}#{mark.anchor}" if mark.anchor else url


# A removed speech's note in the BibTeX and RIS exports, as speech_gone.html explains it.
GONE = "已从档案中移除"
GONE_BECAUSE = {
    "deleted": "其来源文件已由管理员从档案中删除",
    "merged": "它曾并入另一篇，而那一篇后来也被移除",
    "removed": "来源文件重新处理后已不再作为单独一篇存在",
}


def gone_note(alias: SpeechAlias | None) -> str:
    """已从档案中移除（removed）：来源文件重新处理后已不再作为单独一篇存在."""
    if alias is None or not alias.reason:
        return GONE
    because = GONE_BECAUSE.get(alias.reason)
    return f"{GONE}（{alias.reason}）" + (f"：{because}" if because else "")


def cited(request, mark: Bookmark) -> citation.Citable:
    """A bookmark (through resolve()) as cited: its speech; the speech its id leads to now,
    naming the id saved; or, its speech removed since, what the researcher saw, under the
    id they saved, saying that it was removed and why."""
    if mark.speech is not None:
        item = citable(request, mark.speech, mark.anchor)
        if mark.status == "moved":
            saved = bookmark_url(request, mark).split("#")[0]
            title = f"（{mark.title}）" if mark.title else ""
            reason = f"（{mark.alias.reason}）" if mark.alias.reason else ""
            item = replace(item, remarks=(f"收藏的 {saved}{title}现转至本篇{reason}",))
        return item
    alias = mark.alias
    document = alias.document if alias is not None else None
    return citation.Citable(
        mark.public_id,
        mark.title or (alias.title if alias is not None else "") or mark.public_id,
        bookmark_url(request, mark).split("#")[0],
        title_supplied=bool(mark.title and mark.title_supplied),
        paragraph=mark.paragraph,
        source=document.display_title if document is not None else "",
        source_url=request.build_absolute_uri(document.get_absolute_url()) if document is not None else "",
        remarks=(gone_note(alias),),
    )


def _export(request, form, separator: str, content_type: str, filename: str) -> HttpResponse:
    """Each bookmark cited in one form, with the reader's own note and tags (as the CSV
    keeps them); the access date is the day it was bookmarked."""
    marks = resolve(own_bookmarks(request))
    entries = [form(cited(request, mark), timezone.localdate(mark.created_at), mark) for mark in marks]
    response = HttpResponse(separator.join(entries), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def bookmark_export_bibtex(request):
    # Two bookmarks may cite one speech at one paragraph (an id saved before a merge, and
    # the speech it leads to): BibTeX refuses a key twice, so the later ones are numbered.
    used: Counter[str] = Counter()

    def entry(item, day, mark: Bookmark) -> str:
        text, key = _bibtex_entry(item, day, mark), citation.bibtex_key(item)
        used[key] += 1
        return text if used[key] == 1 else text.replace(f"{{{key},", f"{{{key}-{used[key]},", 1)

    return _export(request, entry, "\n", "application/x-bibtex", "bookmarks.bib")


def _bibtex_entry(item, day, mark: Bookmark) -> str:
    """The citation, and the note and tags as annote (BibTeX's, an alias in biblatex) and keywords."""
    entry = citation.bibtex(item, day)
    own = [("annote", mark.note.strip()), ("keywords", ", ".join(mark.tag_list))]
    extra = "".join(f",\n  {name} = {{{citation.bibtex_escape(value)}}}" for name, value in own if value)
    return entry[: -len("\n}")] + extra + "\n}\n"


def _ris_entry(item, day, mark: Bookmark) -> str:
    """The citation, and the tags as keywords (KW) and the note as a note (N1)."""
    entry = citation.ris(item, day)
    own = [("KW", tag) for tag in mark.tag_list]
    own += [("N1", line) for line in mark.note.strip().splitlines() if line.strip()]
    extra = "".join(f"{tag}  - {value}\n" for tag, value in own)
    return entry.replace("ER  - \n", extra + "ER  - \n")


@login_required
@require_GET
def bookmark_export_ris(request):
    return _export(request, _ris_entry, "", "application/x-research-info-systems", "bookmarks.ris")


def paragraphs_of(speech: Speech) -> list[tuple[str, str]]:
    """(anchor, text) of every paragraph, numbered exactly as on the page."""
    return [pair for section in speech.sections.all() for pair in section.paragraphs()]


def current_anchor(speech: Speech | None, mark: Bookmark) -> str:
    """Where the bookmarked paragraph is now. A re-ingest that rejoined or split paragraphs
    (or merged the speech into another) renumbers them: the stored opening words find it again."""
    if speech is None or not mark.paragraph or not mark.excerpt:
        return mark.paragraph
    probe = mark.excerpt[:PROBE]
    paragraphs = paragraphs_of(speech)
    if dict(paragraphs).get(mark.paragraph, "").startswith(probe):
        return mark.paragraph
    return next((anchor for anchor, text in paragraphs if probe in text), mark.paragraph)


def resolve(marks: list[Bookmark]) -> list[Bookmark]:
    """Give each bookmark its status ("", "moved" when merged into another speech, "gone"),
    the speech its id names now (its own or the successor; None when gone), the alias its
    id became (None while the speech has it), and the current anchor of its paragraph."""
    ids = {m.public_id for m in marks}
    speeches = {
        s.public_id: s for s in Speech.objects.filter(public_id__in=ids).with_document().prefetch_related("sections")
    }
    aliases = {
        a.public_id: a
        for a in SpeechAlias.objects.filter(public_id__in=ids - set(speeches))
        .select_related("speech__document", "document")
        .defer("speech__document__raw", "document__raw")
        .prefetch_related("speech__sections")
    }
    for mark in marks:
        mark.alias = aliases.get(mark.public_id)
        successor = mark.alias.speech if mark.alias is not None else None
        mark.speech = speeches.get(mark.public_id) or successor
        mark.status = "" if mark.public_id in speeches else "moved" if mark.speech else "gone"
        mark.anchor = current_anchor(mark.speech, mark)
        mark.supplied, mark.fragment = _known_flags(mark)
    return marks


def _known_flags(mark: Bookmark) -> tuple[bool | None, bool | None]:
    """title_supplied and fragment of the bookmarked speech, None where unknown. A bookmark
    keeps whether the title it saved was supplied (Bookmark.title_supplied; None for one
    saved before it did), not whether the speech was a fragment: a speech removed since,
    or merged into another, took that along (the successor's flags hold for the bookmarked
    title only when it is the successor's). The list (bookmarks.html) brackets a title by
    it, as the speech page does a supplied one."""
    if mark.status == "":
        return mark.speech.title_supplied, mark.speech.is_fragment
    if mark.status == "moved" and mark.title == mark.speech.title:
        return mark.speech.title_supplied, None
    # Gone, or moved to a speech of another title: the title it saved, as it saved it.
    return mark.title_supplied, None
