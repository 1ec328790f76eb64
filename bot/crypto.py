"""Keys kept apart from the database: keyed hashes for identities, sealing for content.

One random master key lives in `ANTIPEST_SECRET_KEY_FILE` (mode 0600). Independent keys are
derived from it with HKDF (hashing ids, sealing content, deriving secrets such as the webhook
token, the check value that tells whether a database belongs to this key), so knowing one of
them never helps to open what another protects.

A key can be replaced (`antipestbot key rotate`, bot/storage/rekey.py). What was derived from an
old key and cannot be derived again without something only its owner holds (a pupil's secret
code) is still recognised through that key's derivation key, kept sealed in the database
(`successor`, `derived_before`): it opens nothing that was sealed, and hashes no identity.

A key file that others may read is used, with a warning: a Docker or Kubernetes secret is
mounted 0444 inside a container no one else logs into, and refusing it would stop those
installations, while on a shared server the warning names the problem in the log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)
OTHERS = 0o077  # permission bits for the file's group and everyone else


class VaultError(ValueError):
    """The key file is unreadable or malformed."""


def load_or_create_key(path: Path) -> bytes:
    """The 32-byte master key; created (mode 0600) when the file does not exist yet."""
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(key_file_text(new_key()))
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
        mode = path.stat().st_mode & 0o777
    except (OSError, ValueError) as exc:
        raise VaultError(
            f"The secret key file {path} (ANTIPEST_SECRET_KEY_FILE) cannot be read or created."
        ) from exc
    if len(key) != 32:
        raise VaultError(
            f"The secret key file {path} (ANTIPEST_SECRET_KEY_FILE) does not hold a 32-byte key."
        )
    if mode & OTHERS:
        log.warning("key_file_open_to_others mode=%s", oct(mode))
    return key


def new_key() -> bytes:
    """A new random master key, as `load_or_create_key` makes one."""
    return secrets.token_bytes(32)


def key_file_text(master: bytes) -> bytes:
    """What a key file holds: the key in URL-safe base64, one line."""
    return base64.urlsafe_b64encode(master) + b"\n"


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _derived(key: bytes, purpose: str) -> str:
    digest = hmac.new(key, purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Vault:
    """Keyed hashing of identities and authenticated encryption of content."""

    def __init__(self, master: bytes, retired: Sequence[bytes] = ()) -> None:
        self._hash_key = _derive(master, b"antipestbot subject hash v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"antipestbot seal v1")))
        self._derive_key = _derive(master, b"antipestbot derived secrets v1")
        self._check_key = _derive(master, b"antipestbot key check v1")
        self._retired = tuple(retired)  # derivation keys of the keys this one replaced

    def successor(self, master: bytes) -> Vault:
        """The vault of the key that replaces this one: it recognises what this one (and the
        keys it replaced) derived, and nothing else of theirs."""
        return Vault(master, (*self._retired, self._derive_key))

    def derived_before(self, purpose: str) -> list[str]:
        """`derived(purpose)` as each replaced key made it, oldest first; [] without any."""
        return [_derived(key, purpose) for key in self._retired]

    def sealed_retired(self) -> str | None:
        """The replaced keys' derivation keys, sealed, for the database; None without any."""
        if not self._retired:
            return None
        keys = [base64.urlsafe_b64encode(key).decode() for key in self._retired]
        return self.seal(json.dumps(keys))

    def recall_retired(self, sealed: str) -> None:
        """Take back what `sealed_retired` gave (read from the database at start)."""
        keys = json.loads(self.open(sealed))
        self._retired = tuple(base64.urlsafe_b64decode(key) for key in keys)

    def subject(self, channel: str, user_id: int) -> str:
        """A stable pseudonym for a channel user; the id itself is never stored in clear."""
        digest = hmac.new(self._hash_key, f"{channel}:{user_id}".encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def derived(self, purpose: str) -> str:
        """A stable secret for `purpose` (43 characters from A-Za-z0-9_-), e.g. a webhook token.

        A key of its own, so a secret handed to a third party reveals nothing about the keys
        that hash identities or seal content.
        """
        return _derived(self._derive_key, purpose)

    def check_value(self) -> str:
        """A value that a database keeps to know its key by; it reveals nothing about the key."""
        return hmac.new(self._check_key, b"antipestbot key check", hashlib.sha256).hexdigest()

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise VaultError("A sealed value does not match the secret key.") from exc
