"""Sign-up and sign-in pages (speeches/accounts.py, templates/registration/): a refused form
says what is wrong, next to the field it concerns, in Chinese, and keeps what was typed."""

import pytest
from django.contrib.auth.models import User

from speeches.tests.page_html import described_by, elements, one

pytestmark = pytest.mark.django_db


def test_a_refused_sign_up_ties_each_error_to_its_field_and_focuses_the_first_field_in_error(client):
    response = client.post(
        "/accounts/signup/", {"username": "a", "email": "bad@x", "password1": "12345678", "password2": "12345679"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not User.objects.exists()
    summary = one(html, "div", class_="form-errors")
    assert summary.attrs["role"] == "alert"
    assert "这个密码太常见了" in summary.content and "两个密码不一致" in summary.content
    email = one(html, "input", name="email")
    assert email.attrs["value"] == "bad@x" and email.attrs["aria-invalid"] == "true"
    assert "邮箱地址无效" in described_by(html, email) and "Email" not in html
    # A weak password is the password's fault, not the confirmation's.
    password, confirmation = one(html, "input", name="password1"), one(html, "input", name="password2")
    assert "这个密码太常见了" in described_by(html, password)
    assert "太常见" not in described_by(html, confirmation) and "不一致" in described_by(html, confirmation)
    # The hint about passwords is the password field's description.
    assert "至少 8 位" in described_by(html, password)
    # The focus goes to the first field in error, not to 用户名, which was fine.
    assert [element.attrs["name"] for element in elements(html, autofocus=True)] == ["email"]
    assert "aria-invalid" not in one(html, "input", name="username").attrs


def test_a_password_too_short_is_refused_in_chinese(client):
    response = client.post("/accounts/signup/", {"username": "reader", "password1": "q7#Lm", "password2": "q7#Lm"})
    html = response.content.decode()
    assert not User.objects.exists()
    assert "这个密码太短了，至少要 8 个字符。" in described_by(html, one(html, "input", name="password1"))
    assert "too short" not in html


def test_a_refused_sign_in_is_announced_and_points_both_fields_to_it(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong-passphrase"})
    html = response.content.decode()
    notice = one(html, role="alert")
    assert "用户名或密码不正确" in notice.content
    for name in ("username", "password"):
        field = one(html, "input", name=name)
        assert field.attrs["aria-invalid"] == "true" and "用户名或密码不正确" in described_by(html, field)
    assert one(html, "input", name="username").attrs["value"] == "nobody"


@pytest.mark.parametrize(
    ("page", "reason"), [("/bookmarks/", "登录后才能使用书签"), ("/alerts/", "登录后才能使用检索提醒")]
)
def test_a_visitor_sent_to_sign_in_from_a_page_that_needs_it_is_told_why(client, page, reason):
    response = client.get(page, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert reason in response.content.decode()
    # Signing in from the header of any other page gives no such reason.
    assert "登录后才能" not in client.get("/accounts/login/?next=/topics/").content.decode()
