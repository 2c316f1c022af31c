import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

# jieba loads its dictionary in about half a second: pay that at start-up.
from speeches.search_backend import warm_up  # noqa: E402

warm_up()
