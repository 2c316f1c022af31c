"""A signed-in researcher's saved searches: save one from the results page, list them
with a link to run each and its Atom feed, remove one, set the address the digest
(speeches/digest.py) mails to.

Their own page (/alerts/), beside the bookmarks rather than inside them: bookmarks
are speeches with notes, filtered and exported; a saved search is a standing query
and an e-mail setting. Every view reads only request.user's rows: someone else's
saved search answers 404, as a bookmark does (speeches/bookmarks.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import MAX_URL_REDIRECT_LENGTH
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import mail_confirmation
from .digest import register_arrivals, searches_something
from .forms import INVALID_EMAIL, FocusFirstError
from .models import Document, SavedSearch, Topic
from .search import SearchParams
from .search.params import FILTER_TITLES, UNDATED
from .search.query import blank


class EmailForm(FocusFirstError, forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["email"]
        labels = {"email": "通知邮箱"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@example.org"})}
        error_messages = {"email": {"invalid": INVALID_EMAIL}}


def canonical_query(params: SearchParams) -> str:
    """The results page's query string for `params`, without page, page size and sort (they do not
    change what matches): one search, one string, however it was reached."""
    return params.url(page=None, sort=None, page_size=None)[1:]


def describe(params: SearchParams) -> str:
    """A label for a saved search: its words and its filters in Chinese."""
    parts = [params.q.strip()] if params.q.strip() else []
    shown = {name: list(getattr(params, name)) for name in FILTER_TITLES if name != "year"}
    shown["topic"] = [
        dict(Topic.objects.filter(slug__in=params.topic).values_list("slug", "name")).get(slug, slug)
        for slug in params.topic
    ]
    # A document out of the archive (a failed upload) is named to no one: its number is shown.
    wanted = [int(pk) for pk in params.document if str(pk).isdigit()]
    named = {str(d.pk): d.display_title for d in Document.objects.public().filter(pk__in=wanted)}
    shown["document"] = [named.get(str(pk), f"第 {pk} 号") for pk in params.document]
    shown["year"] = ["不详" if year == UNDATED else str(year) for year in params.year]
    if params.year_from or params.year_to:
        shown["year"].append(f"{params.year_from or ''}–{params.year_to or ''}")
    parts += [f"{title}：" + "、".join(shown[name]) for name, title in FILTER_TITLES.items() if shown[name]]
    label = " · ".join(parts)
    return label if len(label) <= 200 else label[:199] + "…"


def saved_search_for(user, params: SearchParams) -> SavedSearch | None:
    """The user's saved search for these parameters, if they saved it (the results page asks)."""
    if not user.is_authenticated:
        return None
    return SavedSearch.objects.filter(user=user, query=canonical_query(params)).first()


def save_search(user, params: SearchParams) -> tuple[SavedSearch, bool]:
    """Save once; saving again keeps the first row and its mark. A new search starts
    from now: whatever the archive can search at this moment is recorded as arrived,
    so its first digest lists only speeches that come later."""
    now = timezone.now()
    register_arrivals(now)
    return SavedSearch.objects.get_or_create(
        user=user, query=canonical_query(params), defaults={"label": describe(params), "checked_at": now}
    )


@login_required
@require_safe
def alert_list(request):
    return alerts_page(request, EmailForm(instance=request.user))


def alerts_page(request, email_form: EmailForm):
    context = {
        "searches": SavedSearch.objects.filter(user=request.user),
        "email_form": email_form,
        "email_confirmed": mail_confirmation.confirmed(request.user),
    }
    return render(request, "speeches/alerts.html", context)


@require_POST
def alert_save(request):
    params = SearchParams.from_querydict(QueryDict(request.POST.get("query", "")))
    search_url = reverse("search") + params.url(page=None)
    if len(search_url) > MAX_URL_REDIRECT_LENGTH:
        # A query of 2,000 Han characters is 18,000 characters percent-encoded: Django
        # refuses to redirect there (a 400 page instead of the message below).
        search_url = reverse("search")
    if not request.user.is_authenticated:
        return redirect_to_login(search_url)
    if not searches_something(params):
        # Signs only, or only words to leave out: the search page finds nothing for it.
        said = "没有检索词或筛选条件的检索无法保存。" if blank(params.q) else "检索词中没有要查找的词语，无法保存。"
        messages.error(request, said)
        return redirect(search_url)
    if len(canonical_query(params)) > SavedSearch.QUERY_MAX:
        messages.error(request, "检索条件过长，无法保存。")
        return redirect(search_url)
    saved, created = save_search(request.user, params)
    messages.success(request, f"已保存检索“{saved.label}”。" if created else f"检索“{saved.label}”已经保存过。")
    # No warning about a missing address here: the page this leads to says it beside the field.
    return redirect("alerts")


@login_required
@require_http_methods(["GET", "POST"])
def alert_delete(request, pk: int):
    """GET asks, as a bookmark's removal does (speeches/bookmarks.py): one tap on 删除 removed
    a search and the mark of what its digest already sent; POST deletes."""
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    if request.method == "GET":
        return render(request, "speeches/alerts_delete.html", {"saved": saved})
    saved.delete()
    messages.success(request, f"已删除检索“{saved.label}”。")
    return redirect("alerts")


@login_required
@require_POST
def alert_email(request):
    form = EmailForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        email = form.cleaned_data["email"]
        if not email:
            messages.success(request, "已清空通知邮箱，不再发送通知。")
        else:
            say_asked(request, email, mail_confirmation.ask(request.user))
        return redirect("alerts")
    # The page again with what was typed, marked where it is wrong (a redirect lost both).
    return alerts_page(request, form)


ASKED = {
    "confirmed": "通知将发送到 {email}。",
    "asked": "已向 {email} 发出确认邮件：打开其中的链接并点“确认”后，才会向这个邮箱发送通知。",
    "recent": "这个账号 10 分钟内已发过确认邮件；{email} 尚未确认，请稍后再点“保存邮箱”重发。",
    "failed": "邮箱已保存，但确认邮件未能发出（邮件服务器出错），请 10 分钟后再点“保存邮箱”重发。",
}


def say_asked(request, email: str, outcome: str) -> None:
    """What mail_confirmation.ask did, told on the next page."""
    level = messages.error if outcome == "failed" else messages.success
    level(request, ASKED[outcome].format(email=email))


def _token_user(data: dict | None):
    return get_user_model().objects.filter(pk=data["user"], is_active=True).first() if data else None


@require_http_methods(["GET", "POST"])
def alert_confirm(request, token: str):
    """The link of the confirmation mail: a page with a button (a scanner that opens links
    confirms nothing); the button confirms. No sign-in needed: the link is the proof."""
    data = mail_confirmation.read_token(token, mail_confirmation.CONFIRM_SALT, mail_confirmation.CONFIRM_FOR)
    user = _token_user(data)
    valid = data is not None and user is not None and data["address"] == user.email
    done = request.method == "POST" and valid and mail_confirmation.confirm(data, user)
    context = {"valid": valid, "done": done, "address": data["address"] if valid else ""}
    return render(request, "speeches/alerts_confirm.html", context, status=200 if valid else 400)


@csrf_exempt  # RFC 8058: a mail program posts List-Unsubscribe=One-Click with no cookie
@require_http_methods(["GET", "POST"])
def alert_stop(request, token: str):
    """The way out every digest carries, without signing in: a page with a button, or a
    mail program's one-click POST. The signed link is the proof."""
    data = mail_confirmation.read_token(token, mail_confirmation.STOP_SALT)
    if data is None:
        return render(request, "speeches/alerts_stop.html", {"valid": False}, status=400)
    if request.method == "POST":
        mail_confirmation.stop(data, _token_user(data))
    # Stopped now, or before (another address is the account's now): it gets nothing.
    context = {"valid": True, "done": request.method == "POST", "address": data["address"]}
    return render(request, "speeches/alerts_stop.html", context)
