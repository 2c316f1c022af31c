import gc
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

# With DEBUG off every page names its static files through collectstatic's manifest;
# without it every HTML page would answer 500. Stop here and say which step is missing.
if not settings.DEBUG and not (settings.STATIC_ROOT / "staticfiles.json").exists():
    raise ImproperlyConfigured(
        f"DEBUG=0 but no collected static files in {settings.STATIC_ROOT}: "
        "run `python manage.py collectstatic --noinput` first (the Docker image does it when built)"
    )

# OpenCC's tables, which every search folds its terms with: load them at start-up.
from speeches.search.analysis import warm_up_analysis  # noqa: E402

warm_up_analysis()

# The open index and what every search reads (Whoosh: facet values, ranking columns),
# loaded before the first request instead of in it.
from speeches.search.engine import engine  # noqa: E402

engine().warm_up()

# Everything loaded so far lives as long as the worker. Python's full collections
# scanned it all again and again: pauses of 55-104 ms, each landing in one search
# (measured through this module at 20,000 speeches). Frozen, it is left out of them.
gc.freeze()
