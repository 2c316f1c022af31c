"""A signed-in researcher's bookmarks: add from a speech page, list and filter, edit, remove, export.

Every view requires login and reads only request.user's rows: someone else's
bookmark answers 404, as if it did not exist. Bookmarks hold permanent public ids,
so they keep working after a re-ingest replaced the speech rows.
"""

from __future__ import annotations

import csv
import re

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

PAGE_SIZE = 50
# A bookmarked paragraph's opening kept with the bookmark, and how much of it must match.
EXCERPT = 60
PROBE = 20
_TAG_SPLIT = re.compile(r"[,，、;；]")


def normalize_tags(raw: str) -> str:
    """Split on Chinese and Western commas, keep each tag once: 疫情，基层治理 , 疫情 → 疫情, 基层治理."""
    tags = [t.strip() for t in _TAG_SPLIT.split(raw or "") if t.strip()]
    return ", ".join(dict.fromkeys(tags))[:500]


# Django's own wording of these ("确保该变量包含不超过 500 字符") names no field and is
# no sentence a researcher would write.
_TOO_LONG = "{field}太长：最多 %(limit_value)d 个字符（现在 %(show_value)d 个）。"


class BookmarkForm(FocusFirstError, forms.ModelForm):
    paragraph = forms.RegexField(regex=r"^p\d{1,6}$", required=False, max_length=16, label="段落")
    # As the speech page's form says (maxlength), whichever form the note comes from.
    note = forms.CharField(
        required=False,
        max_length=2000,
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
    paragraphs = dict(paragraphs_of(speech))
    form = BookmarkForm(request.POST, instance=existing, anchors=list(paragraphs))
    if not form.is_valid():
        reason = form.errors.get("paragraph", ["段落应写作 p12 这样的形式。"])[0]
        if "本篇没有" not in reason:
            reason = "段落应写作 p12 这样的形式。"
        messages.error(request, f"书签未保存：{reason}")
        return redirect(speech.get_absolute_url())
    mark = form.save(commit=False)
    mark.user, mark.public_id, mark.title = request.user, speech.public_id, speech.title
    mark.excerpt = paragraphs.get(mark.paragraph, "")[:EXCERPT]
    mark.save()
    if mark.paragraph:
        # Shown just above the paragraph the page opens at (speech_views.placed_messages).
        messages.success(
            request, f"已加入我的书签（第{mark.paragraph[1:]}段）。", extra_tags=AT_PARAGRAPH + mark.paragraph
        )
        return redirect(f"{speech.get_absolute_url()}#{mark.paragraph}")
    messages.success(request, "已加入我的书签。")
    return redirect(speech.get_absolute_url())


@login_required
@require_GET
def bookmark_list(request):
    marks = own_bookmarks(request)
    page = Paginator(marks, PAGE_SIZE).get_page(request.GET.get("page"))
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
    return render(request, "speeches/bookmarks_edit.html", {"form": form, "mark": mark})


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


@login_required
@require_GET
def bookmark_export_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bookmarks.csv"'
    response.write("\ufeff")  # so Excel opens the Chinese text as UTF-8
    writer = csv.writer(response)
    # title_supplied as in the search export: a title the archive wrote is never cited as
    # the source's (the BibTeX and RIS exports bracket it).
    writer.writerow(["id", "paragraph", "title", "title_supplied", "url", "note", "tags", "created"])
    for mark in resolve(own_bookmarks(request)):
        created = timezone.localtime(mark.created_at).isoformat(timespec="seconds")
        url = bookmark_url(request, mark)
        writer.writerow([mark.public_id, mark.paragraph, mark.title, mark.supplied, url, mark.note, mark.tags, created])
    return response


def cited(request, mark: Bookmark) -> citation.Citable:
    speech = find_speech(mark.public_id)
    if speech is not None:
        return citable(request, speech, getattr(mark, "anchor", mark.paragraph))
    # Removed since: cite what the researcher saw, under the id they saved.
    return citation.Citable(
        mark.public_id, mark.title, bookmark_url(request, mark).split("#")[0], paragraph=mark.paragraph
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
    return _export(request, _bibtex_entry, "\n", "application/x-bibtex", "bookmarks.bib")


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
    """Give each bookmark its status ("", "moved" when merged into another speech, "gone")
    and the current anchor of its paragraph."""
    ids = {m.public_id for m in marks}
    speeches = {s.public_id: s for s in Speech.objects.filter(public_id__in=ids).prefetch_related("sections")}
    successors = {
        a.public_id: a.speech
        for a in SpeechAlias.objects.filter(public_id__in=ids - set(speeches), speech__isnull=False)
        .select_related("speech")
        .prefetch_related("speech__sections")
    }
    for mark in marks:
        speech = speeches.get(mark.public_id) or successors.get(mark.public_id)
        mark.status = "" if mark.public_id in speeches else "moved" if speech else "gone"
        mark.anchor = current_anchor(speech, mark)
        # Shown as the speech page shows it: a title the archive supplied in brackets.
        mark.supplied = speech.title_supplied if speech is not None else False
    return marks
