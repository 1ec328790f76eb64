# antipestbot: a small image that runs `antipestbot run` (long polling) as a non-root user.
#
#   docker build -t antipestbot .
#   docker run -d --restart unless-stopped --env-file .env -v antipest-data:/data antipestbot
#
# Coordinators are managed with the same image, against the same volume, for example:
#   docker run --rm --env-file .env -v antipest-data:/data antipestbot
#       antipestbot coordinator invite --name "Juf Voorbeeld" --bot-username @YourBot
# (one command line; `coordinator list`, `add` and `remove` work the same way).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The bot reads flows/ and locales/ relative to the package's parent directory
# (bot/settings.py: ROOT = Path(__file__).parent.parent). A normal `pip install .` puts the
# package in site-packages, where ROOT/flows does not exist. So the repository lives in /app and
# is installed editable: `bot` is imported from /app/bot and finds /app/flows and /app/locales.
# The code stays owned by root and read-only for the user that runs the bot.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY flows ./flows
COPY locales ./locales
RUN pip install --no-cache-dir -e . \
    && python -m compileall -q bot

# A fixed, unprivileged uid (no login shell, no home) that owns only the data directories.
# A new named volume copies the ownership of the directory it is mounted on.
RUN groupadd --system --gid 10001 antipest \
    && useradd --system --uid 10001 --gid antipest --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin antipest \
    && mkdir -p /data /run/secrets/antipest \
    && chown antipest:antipest /data /run/secrets/antipest \
    && chmod 0700 /data /run/secrets/antipest

# The database (and, by default, the secret key) live on a volume so they survive new images.
# In production keep the key on a separate secret volume instead, for example add
#   -v antipest-secret:/run/secrets/antipest
#   -e ANTIPEST_SECRET_KEY_FILE=/run/secrets/antipest/secret.key
# so that a backup of the database volume never contains the key that opens it. Back the key up
# on its own: without it, the stored reports cannot be read.
ENV ANTIPEST_DB=/data/antipest.db \
    ANTIPEST_SECRET_KEY_FILE=/data/secret.key
VOLUME /data

USER 10001:10001

# The web chat (and a Telegram webhook, if used) on port 8080 of every interface of the
# container: publish it only behind a TLS proxy (`-p 127.0.0.1:8080:8080`).
EXPOSE 8080

# Exec form: the bot is PID 1 and receives SIGTERM from `docker stop` for a clean shutdown.
CMD ["antipestbot", "run", "--host", "0.0.0.0"]
