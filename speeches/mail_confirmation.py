"""The digest's address, confirmed by its owner, and a way out in every mail.

Anyone may sign up, with any address, and a digest quotes the words of its searches:
unconfirmed, the site would mail a stranger's text ("您的账户已被冻结，请立即访问…")
to whoever was named, with no way to stop it but signing in to an account that is not
theirs. So:

- a new or changed address gets one mail asking its owner to confirm (`ask`); it holds
  nothing the account's owner wrote, not even the user name; an account asks at most once
  in ASK_AGAIN_AFTER, and sign-ups are limited per client address (see `ask`); a digest
  goes only to a confirmed address (digest.py);
- the confirming link opens a page with a button (`confirm_token`, alerts.alert_confirm):
  a mail scanner that follows links confirms nothing;
- every digest carries a link that stops it without signing in (`stop_url`), also as the
  List-Unsubscribe header with RFC 8058's one-click POST.

Addresses given before confirmation was asked stay confirmed (migration 0020).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .models import MailConfirmation

log = logging.getLogger(__name__)

CONFIRM_SALT = "speeches.mail_confirmation.confirm"
STOP_SALT = "speeches.mail_confirmation.stop"
CONFIRM_FOR = timedelta(days=7)
ASK_AGAIN_AFTER = timedelta(minutes=10)


def confirmed(user) -> bool:
    """Whether the user's address now is one its owner confirmed."""
    found = MailConfirmation.objects.filter(user=user).first()
    return bool(user.email and found and found.confirmed_at and found.address == user.email)


def _token(user, salt: str) -> str:
    return signing.dumps({"user": user.pk, "address": user.email}, salt=salt)


def read_token(token: str, salt: str, max_age: timedelta | None = None) -> dict | None:
    """The token's user and address, None when it is forged, damaged or too old."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return data if isinstance(data, dict) and {"user", "address"} <= set(data) else None


def confirm_url(user) -> str:
    return settings.SITE_URL + reverse("alert-confirm", args=[_token(user, CONFIRM_SALT)])


def stop_url(user) -> str:
    return settings.SITE_URL + reverse("alert-stop", args=[_token(user, STOP_SALT)])


def ask(user, now=None) -> str:
    """Ask the owner of the user's address to confirm it: "confirmed" (nothing to ask),
    "asked", "recent" (not now) or "failed" (the mail server).

    An account asks at most once in ASK_AGAIN_AFTER, whatever address it names (alternating
    two addresses mailed a stranger at every click), a failed send included (a server that
    took the mail and then failed would otherwise deliver one at every click). Nothing
    another account does makes it wait: a limit per address let anyone keep an address's
    owner from ever asking again. How many accounts can name one address is bounded where
    accounts are made (accounts.py: sign-ups per address of the client)."""
    now = now or timezone.now()
    if not user.email:
        return "confirmed"
    found, _ = MailConfirmation.objects.get_or_create(user=user, defaults={"address": user.email})
    if found.address == user.email and found.confirmed_at:
        return "confirmed"
    since = now - ASK_AGAIN_AFTER
    # The account's window, taken atomically: two posts at once (a double click) send one mail.
    taken = (
        MailConfirmation.objects.filter(pk=found.pk)
        .filter(models.Q(asked_at__isnull=True) | models.Q(asked_at__lte=since))
        .update(address=user.email, confirmed_at=None, asked_at=now)
    )
    if not taken:
        return "recent"
    lines = [
        f"有人在讲话档案（{settings.SITE_URL}）把本邮箱设为检索提醒的通知邮箱。",
        "",
        f"如果是您本人，请在 {CONFIRM_FOR.days} 天内打开以下链接，点“确认”：",
        confirm_url(user),
        "",
        "如果不是您本人，请忽略本邮件：未经确认，本邮箱不会收到任何检索提醒。",
    ]
    message = EmailMessage("讲话档案：请确认通知邮箱", "\n".join(lines) + "\n", to=[user.email])
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("confirmation mail for user %s not sent: %r", user.pk, error)
        return "failed"
    return "asked"


def confirm(data: dict, user) -> bool:
    """Confirm the address a confirming link was made for, while it is still the user's."""
    if user is None or data["address"] != user.email or not user.email:
        return False
    MailConfirmation.objects.update_or_create(
        user=user, defaults={"address": user.email, "confirmed_at": timezone.now()}
    )
    return True


def stop(data: dict, user) -> bool:
    """No more digests to the address a stop link was made for: it is taken off the account
    (the researcher may give one again, to be confirmed again)."""
    if user is None or data["address"] != user.email:
        return False
    user.email = ""
    user.save(update_fields=["email"])
    MailConfirmation.objects.filter(user=user).delete()
    return True
