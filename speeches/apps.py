from django.apps import AppConfig


class SpeechesConfig(AppConfig):
    name = "speeches"
    verbose_name = "讲话档案"
    default_auto_field = "django.db.models.BigAutoField"
