"""A self-hosted proof of work for the contact form, in the manner of ALTCHA: no third party, no cookie.

The page carries a signed challenge: a random salt and the SHA-256 of the salt followed by a secret number below
ACCUEIL_POW_MAX_NUMBER. The browser (static/accueil/pow.js) tries numbers until the hash matches and sends the
number back; the server checks the signature (so the challenge is ours and recent), the hash, and that the
challenge is used once (kept in the cache for its lifetime; with Redis down a replay is let through, as the rate
limits are). Costless for a person, it makes each robot submission cost CPU time.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from core.cache import strict

SALT = "accueil.contact.pow"
MAX_AGE = 60 * 60  # a challenge is good for an hour


def challenge_new() -> dict[str, str]:
    salt = secrets.token_hex(12)
    number = secrets.randbelow(settings.ACCUEIL_POW_MAX_NUMBER + 1)
    challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
    token = signing.dumps({"s": salt, "c": challenge}, salt=SALT)
    return {"salt": salt, "challenge": challenge, "token": token, "max": str(settings.ACCUEIL_POW_MAX_NUMBER)}


def solve(salt: str, challenge: str, maximum: int) -> int | None:
    """What the browser does (tests and benchmarks use it)."""
    for number in range(maximum + 1):
        if hashlib.sha256(f"{salt}{number}".encode()).hexdigest() == challenge:
            return number
    return None


def verify(token: str, number: str) -> bool:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        guess = int(number)
    except (signing.BadSignature, TypeError, ValueError):
        return False
    if not 0 <= guess <= settings.ACCUEIL_POW_MAX_NUMBER:
        return False
    if hashlib.sha256(f"{data['s']}{guess}".encode()).hexdigest() != data["c"]:
        return False
    try:
        with strict():
            return bool(cache.add(f"contact-pow:{data['c']}", 1, timeout=MAX_AGE + 60))
    except Exception:  # Redis down: the work was done; a replay is let through, as the rate limits fail open
        return True
