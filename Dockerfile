# MDS Connectées: one image for the web, the Celery workers and beat (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_ROOT=/app/static-root \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3

RUN groupadd --system app && useradd --system --gid app --home-dir /app/var --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, read from pyproject.toml, so that a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code belongs to root: the app user can read it, not change it.
COPY . .

# Static files are collected into the image; whitenoise serves them. collectstatic signs nothing, so it runs
# without a SECRET_KEY (the web server and the workers refuse to start without one: mds_connectees.startup).
RUN python manage.py collectstatic --noinput -v 0 \
    && rm -rf /app/var && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app
EXPOSE 8000
ENTRYPOINT ["scripts/docker-entrypoint"]
# openNDS sends queries up to ~7.3 KB once encrypted (captive_portal.gateways.opennds.MAX_FAS_LENGTH): gunicorn's
# default request line (4094) would answer 414 first; 8190 is its maximum.
CMD ["gunicorn", "mds_connectees.wsgi", "--bind", "0.0.0.0:8000", "--limit-request-line", "8190", "--access-logfile", "-", "--no-control-socket"]
