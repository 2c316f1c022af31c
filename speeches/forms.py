"""What every form a visitor fills in shares (sign-up, saved searches' address, bookmark edit).

Its fields are rendered by Django (templates/includes/form_field.html), so each input
names its hint and its error (aria-describedby) and says when it is wrong (aria-invalid);
templates/includes/form_errors.html sums the errors up above the form.
"""

from __future__ import annotations

# Django's own says "Email" in Latin letters.
INVALID_EMAIL = "邮箱地址无效，请写成 name@example.org 这样的形式。"


class FocusFirstError:
    """A form mixin: no field takes the focus on arrival (an autofocus field made Tab skip
    the skip link and the header), and after a refused submit the first field in error
    does, so a keyboard starts where the fix is (not at 用户名 when 确认密码 is wrong)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            if name in self.errors and not field.widget.is_hidden:
                field.widget.attrs["autofocus"] = True
                return
