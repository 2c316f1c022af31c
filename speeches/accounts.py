"""Sign-up for researchers; signing in and out are django.contrib.auth's own views.

The e-mail address is optional at sign-up: it is only where the search digest
(speeches/digest.py) is sent, and can be set or changed on the saved-searches page
(speeches/alerts.py)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from archive.client_ip import client_ip

from . import mail_confirmation
from .alerts import say_asked
from .forms import INVALID_EMAIL, FocusFirstError


class SignupForm(FocusFirstError, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
        labels = {"username": "用户名", "email": "邮箱（可不填）"}
        help_texts = {"username": "", "email": "保存的检索有新讲话时发到这里；也可以以后在“检索提醒”页填写或更改。"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}
        error_messages = {"email": {"invalid": INVALID_EMAIL}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The hint says what AUTH_PASSWORD_VALIDATORS (archive/settings.py) check, in place
        # of Django's list of every validator's text.
        self.fields["password1"].label = "密码"
        self.fields["password1"].help_text = "至少 8 位，不能过于常见，也不能与用户名或邮箱太相似。"
        self.fields["password2"].label = "确认密码"
        self.fields["password2"].help_text = ""

    def validate_password_for_user(self, user, password_field_name="password1"):
        # Django files a weak password's errors (这个密码太常见了) under the confirmation;
        # they belong under 密码, where the password was chosen.
        super().validate_password_for_user(user, password_field_name="password1")


def safe_next(request) -> str:
    """Back to the page the visitor came from, never to another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


# Accounts one client address may open in an hour. Each may ask a stranger's address to
# confirm once (mail_confirmation.py): this bounds how many such mails one client sends.
# Counted in the cache (per web process with Django's default cache: a bound, not a count).
SIGNUPS_PER_HOUR = 5
SIGNUPS_KEY = "signups:{}"


def _recent_signups(request) -> list[float]:
    now = time.time()
    return [at for at in cache.get(SIGNUPS_KEY.format(client_ip(request)), []) if at > now - 3600]


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request) or settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    recent = _recent_signups(request) if request.method == "POST" else []
    if len(recent) >= SIGNUPS_PER_HOUR:
        form.is_valid()  # the fields' own errors too, then this one
        form.add_error(None, "这个网络地址一小时内注册的账号已经太多，请稍后再试。")
    elif request.method == "POST" and form.is_valid():
        cache.set(SIGNUPS_KEY.format(client_ip(request)), [*recent, time.time()], 3600)
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        asked = mail_confirmation.ask(user) if user.email else ""
        back = safe_next(request)
        if not back:
            # Said on the home page; a page to return to (most show no messages) would keep
            # it for some later page, out of its place (检索提醒 says it beside the address).
            messages.success(request, f"注册成功，已登录为 {user.get_username()}。")
            if asked:
                say_asked(request, user.email, asked)
        return redirect(back or settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/signup.html", {"form": form, "next": safe_next(request)})


# Why a page sent a visitor to sign in (login_required's ?next=), said on the sign-in page:
# a visitor sent there from 我的书签 or 检索提醒 was given no reason.
SIGN_IN_REASONS = (("/bookmarks/", "登录后才能使用书签。"), ("/alerts/", "登录后才能使用检索提醒。"))


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = context.get("next") or ""
        context["reason"] = next((text for prefix, text in SIGN_IN_REASONS if target.startswith(prefix)), "")
        return context


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's own, with its message in Chinese: Django 5.2 asks its translations for a
    new wording ("…at least %d characters.") that its zh-Hans catalogue does not have yet,
    so researchers were told in English why a password was refused."""

    def get_error_message(self) -> str:
        return f"这个密码太短了，至少要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少要 {self.min_length} 个字符。"
