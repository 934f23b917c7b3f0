# Góp ý dự thảo: the application image, and an nginx image carrying the same static files.
#
#   docker build -t gopy .                      # the app: gunicorn -c gunicorn.conf.py wsgi:app
#   docker build -t gopy-nginx --target nginx . # nginx with the app's static files
#
# compose.yaml builds both; docs/operations.md explains the settings (GOPY_…).

FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GOPY_BIND=0.0.0.0:8000

WORKDIR /app

# The dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Translations compiled now (the running app cannot write to /app), bytecode too, for a fast start.
RUN python -c "from consult.i18n import compile_catalogs; compile_catalogs()" \
    && python -m compileall -q consult surveys analysis migrations wsgi.py \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gopy \
    && mkdir -p /app/instance \
    && chown gopy:gopy /app/instance

# instance/ holds what lives outside the database: the SQLite file when no DATABASE_URL is set,
# the generated secret key, letters' PDFs, survey uploads and prepared exports.
VOLUME ["/app/instance"]
USER gopy
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"

ENTRYPOINT ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]


FROM nginx:1.27 AS nginx

# The static folders of the same build, so a ?v=<hash> URL and the file nginx serves always agree.
COPY --from=app /app/consult/static /srv/gopy/consult/static
COPY --from=app /app/surveys/static /srv/gopy/surveys/static
COPY docs/deploy/nginx.conf /etc/gopy/nginx.conf.in
COPY docs/deploy/nginx-entrypoint.sh /usr/local/bin/gopy-nginx
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gopy-nginx"]
