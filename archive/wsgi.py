import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
application = get_wsgi_application()

# jieba loads its dictionary in about half a second: pay that at start-up.
from speeches.search.analysis import warm_up_analysis  # noqa: E402

warm_up_analysis()
