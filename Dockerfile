# Production image for the `web` service of docker-compose.yml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# archive/settings.py turns DEBUG on when it is unset, for `make run`; the image is for
# production, so a container started without it still runs with DEBUG off (and refuses to
# start without SECRET_KEY) instead of showing tracebacks under a development key.
ENV DEBUG=0
WORKDIR /app
COPY requirements.txt .
# Runtime only: the tests and tools stay out of the image.
RUN pip install --upgrade pip "setuptools>=81" && pip install -r requirements.txt
COPY . .
# The mojibake model's news n-grams, counted once here: the app directory is read-only at run time.
RUN python -c "from speeches.ingest.mojibake import news_corpus; news_corpus.main()"
# Static files are collected at build time and served by whitenoise. (Production settings
# require these variables; collectstatic uses none of them.)
RUN DEBUG=0 SECRET_KEY=build-only-never-used-to-sign-anything-0123456789abcdefghij ALLOWED_HOSTS=build.invalid SITE_URL=https://build.invalid EMAIL_HOST=build.invalid python manage.py collectstatic --noinput
RUN useradd --create-home archive && mkdir -p /data/index /data/media && chown -R archive /data
USER archive
EXPOSE 8000
CMD ["gunicorn", "archive.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--graceful-timeout", "60"]
