"""The client's address, for sign-in throttling (django-axes).

Directly on the network it is REMOTE_ADDR. Behind the TLS proxy (BEHIND_PROXY=1) every
request comes from the proxy, which appends the address it saw to X-Forwarded-For: the
last entry is the one the proxy vouches for (earlier ones are whatever the client sent).
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
