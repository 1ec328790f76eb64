# antipestbot: a small image that runs `antipestbot run` as a non-root user (uid 10001).
#
#   docker build --network host -t antipestbot .
#   docker run -d --restart unless-stopped --env-file .env -p 127.0.0.1:8080:8080 \
#       -v antipest-data:/data -v "$PWD/secret.key:/run/secrets/antipest_key:ro" antipestbot
#
# The database lives on the /data volume; the secret key is a file mounted at
# /run/secrets/antipest_key (a compose secret, or a bind mount; the file owned by uid 10001, mode
# 0400 or 0600), never an environment variable that `docker inspect` would print. A backup of the volume never
# holds the key: back the key up on its own. Operator commands run in the same image, against the
# same volume and key (`docker compose run --rm bot antipestbot coordinator list`, ...).
#
# Two stages: the first builds the bot's wheel and its dependencies' wheels and installs them in
# a venv (not editable); the second gets that venv alone. No compiler, no pip cache, no wheels,
# no tests, no repository. Plain Dockerfile syntax (no RUN --mount), so Docker's classic builder
# builds it too: there, wheels copied into the last stage would stay in a layer of their own.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# The dependencies first, read from pyproject.toml alone: a change to the code reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; project = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(project['dependencies']))" > /tmp/requirements.txt \
    && pip wheel --quiet --wheel-dir /wheels --requirement /tmp/requirements.txt
# Then the bot's own wheel, with its package data (flows, catalogs, the web chat's files),
# installed from the wheels alone. sqlite-utils asks for pip, for a command of its own that the
# bot never runs: removed again, 14 MB less.
COPY README.md ./
COPY bot ./bot
COPY flows ./flows
COPY locales ./locales
RUN pip wheel --quiet --no-deps --wheel-dir /wheels . \
    && python -m venv --without-pip /opt/antipestbot \
    && pip --python /opt/antipestbot/bin/python install --quiet --no-index \
       --find-links /wheels antipestbot \
    && pip --python /opt/antipestbot/bin/python uninstall --quiet --yes pip

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/antipestbot/bin:$PATH

# A fixed, unprivileged uid (no login shell, no home) that owns only the data directory.
# A new named volume copies the ownership of the directory it is mounted on.
RUN groupadd --system --gid 10001 antipest \
    && useradd --system --uid 10001 --gid antipest --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin antipest \
    && mkdir -p /data \
    && chown antipest:antipest /data \
    && chmod 0700 /data

# The installed wheel, owned by root: the bot cannot change its own code.
COPY --from=build /opt/antipestbot /opt/antipestbot

# Paths only. The key file's folder belongs to root: without a mounted key the bot stops with one
# sentence instead of making a key inside the container, which would be lost with it.
ENV ANTIPEST_DB=/data/antipest.db \
    ANTIPEST_SECRET_KEY_FILE=/run/secrets/antipest_key \
    ANTIPEST_HEALTH_URL=http://127.0.0.1:8080/healthz
VOLUME /data
# Relative paths an operator gives (a backup's file) land on the volume.
WORKDIR /data
USER 10001:10001

# The web chat (and a Telegram webhook, if used) on port 8080 of every interface of the
# container: publish it only behind a TLS proxy (`-p 127.0.0.1:8080:8080`).
EXPOSE 8080

# GET /healthz: 200 while the database takes a write and the outbox moves, else 503 (urlopen
# raises, the check fails). Python's urllib, as the image has no curl; no proxy for 127.0.0.1.
# Started with another --port? Set ANTIPEST_HEALTH_URL to match.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(os.environ['ANTIPEST_HEALTH_URL'], timeout=4)"]

# Exec form: the bot is PID 1 and gets SIGTERM from `docker stop` for a clean shutdown.
CMD ["antipestbot", "run", "--host", "0.0.0.0"]
