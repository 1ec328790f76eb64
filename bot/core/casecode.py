"""Case codes a child can read aloud and write down: `K7QX-2M`."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 5/S, 8/B: codes are copied by hand and read over the phone.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY234679"


def new_case_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{chars[:4]}-{chars[4:]}"
