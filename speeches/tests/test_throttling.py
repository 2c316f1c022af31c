"""Sign-in throttling (django-axes): wrong passwords for one account from one address
lock that pair out for a while, on the admin's sign-in and on researchers' alike."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
SIGN_INS = {"admin": "/admin/login/?next=/admin/", "researcher": "/accounts/login/"}


@pytest.fixture
def users(django_user_model):
    return {
        "editor": django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True),
        "other": django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True),
    }


def sign_in(client, url, username, password, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("where", SIGN_INS)
def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while_with_a_page_that_says_why(
    client, users, where, settings
):
    url = SIGN_INS[where]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, url, "editor", "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, url, "editor", "wrong")
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
    assert "15 分钟" in locked.content.decode()
    again = sign_in(client, url, "editor", PASSWORD)
    assert again.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lockout_holds_one_account_at_one_address_only(client, users, settings):
    url = SIGN_INS["researcher"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, url, "editor", "wrong")
    assert sign_in(client, url, "editor", PASSWORD).status_code == 429
    # Another account from that address, and that account from elsewhere, still sign in.
    assert sign_in(client, url, "other", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, url, "editor", PASSWORD, address="10.0.0.2").status_code == 302


@override_settings(BEHIND_PROXY=True)
def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw_not_one_the_client_claims(client, users, settings):
    url = SIGN_INS["researcher"]
    for number in range(settings.AXES_FAILURE_LIMIT):
        # A client cannot dodge the count by writing its own X-Forwarded-For in front.
        client.post(
            url,
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="172.18.0.5",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 203.0.113.9",
        )
    locked = client.post(
        url, {"username": "editor", "password": PASSWORD}, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        url, {"username": "editor", "password": PASSWORD}, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert elsewhere.status_code == 302


def test_every_page_sends_the_content_security_and_permissions_policies(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "geolocation=()" in permissions and "clipboard-write=(self)" in permissions
