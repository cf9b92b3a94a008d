# oncobot: slim Python, a non-root user, the content compiled at build time (written, not run on the build machine).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ONCOBOT_STATE_DIR=/var/lib/oncobot LOG_FORMAT=json \
    WEBHOOK_LISTEN=0.0.0.0 WEBHOOK_PORT=8443

WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content.yaml ./content.yaml
COPY intents ./intents
COPY catalogue ./catalogue
COPY locales ./locales
COPY schemas ./schemas
RUN pip install --no-cache-dir '.[postgres]' && rm -rf /src

RUN useradd --system --home-dir /var/lib/oncobot --create-home oncobot
USER oncobot
WORKDIR /var/lib/oncobot
# The knowledge base is checked and its compiled cache written now, so a replica starts without building it.
RUN oncobot check && oncobot ask "hello" > /dev/null

EXPOSE 8443
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8443/readyz', timeout=2).status != 200)"
CMD ["oncobot", "run"]
