"""TOTP second factor (RFC 6238): enrolment with a terminal QR code, verification with ±1 step
of drift and no reuse of an accepted step, recovery codes shown once and stored hashed.

Secrets at rest are AES-256-GCM ciphertexts under a sub-key of the installation key
(`bankapp.keys`), bound to the user id, so a copy of the database alone reveals no secret
and a ciphertext moved to another user's row does not decrypt.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import qrcode
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select, update

from bankapp.domain.keyed_hashes import derive_key, keyed_hash
from bankapp.domain.types import Actor
from bankapp.errors import InvalidSecondFactor, PermissionDenied, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.access import require_active, require_admin
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.installation_key import installation_key
from bankapp.storage.models import User, table_of

_users = table_of(User)

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 8
CHALLENGE_LIFETIME = timedelta(minutes=5)
_CIPHER_PREFIX = "v1:"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment screen shows: the text key, the otpauth URI and its QR code."""

    secret: str
    uri: str
    qr_lines: tuple[str, ...]


@dataclass
class _Challenge:
    user_id: int
    expires_at: datetime
    new_password_hash: str | None


def qr_lines(data: str) -> tuple[str, ...]:
    """A QR code as text, two modules per character cell with half blocks. Light modules
    are drawn (a terminal's text is light on dark), with a quiet zone of two modules."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    dark: list[list[bool]] = code.get_matrix()
    if len(dark) % 2:
        dark.append([False] * len(dark[0]))
    glyph = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return tuple(
        "".join(glyph[(not top, not bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(dark[::2], dark[1::2], strict=True)
    )


def unix_step(now: datetime) -> int:
    """The RFC 6238 time step of a naive UTC datetime."""
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


class TotpService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._challenges: dict[str, _Challenge] = {}
        self._lock = threading.Lock()

    # -- keys -----------------------------------------------------------------------------

    def _aead(self) -> AESGCM:
        return AESGCM(derive_key(installation_key(self._ctx), "totp-secret-encryption"))

    def _encrypt(self, user_id: int, secret: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead().encrypt(nonce, secret.encode(), f"user:{user_id}".encode())
        return _CIPHER_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def _decrypt(self, user_id: int, stored: str) -> str:
        if not stored.startswith(_CIPHER_PREFIX):
            raise InvalidSecondFactor("The second-factor secret is damaged; ask a supervisor.")
        raw = base64.urlsafe_b64decode(stored[len(_CIPHER_PREFIX) :])
        try:
            plain = self._aead().decrypt(raw[:12], raw[12:], f"user:{user_id}".encode())
        except InvalidTag:
            raise InvalidSecondFactor(
                "The second-factor secret does not match this installation's key; "
                "ask a supervisor to reset it."
            ) from None
        return plain.decode()

    def _recovery_hash(self, code: str) -> str:
        return keyed_hash(installation_key(self._ctx), "totp-recovery", _normalise_recovery(code))

    # -- sign-in challenges (used by AuthService) -------------------------------------------

    def open_challenge(self, user_id: int, new_password_hash: str | None = None) -> str:
        """A one-use token meaning "password accepted, second factor pending"."""
        token = secrets.token_urlsafe(24)
        now = self._ctx.db.clock.now()
        with self._lock:
            for key in [k for k, c in self._challenges.items() if c.expires_at <= now]:
                del self._challenges[key]
            self._challenges[token] = _Challenge(
                user_id, now + CHALLENGE_LIFETIME, new_password_hash
            )
        return token

    def peek_challenge(self, token: str) -> _Challenge:
        with self._lock:
            found = self._challenges.get(token)
        if found is None or found.expires_at <= self._ctx.db.clock.now():
            raise InvalidSecondFactor("The sign-in expired; enter your password again.")
        return found

    def close_challenge(self, token: str) -> None:
        with self._lock:
            self._challenges.pop(token, None)

    # -- enrolment ------------------------------------------------------------------------

    def begin_enrolment(self, *, actor: Actor | None = None, challenge: str = "") -> Enrolment:
        """A new secret for the signed-in `actor` (customers opt in) or for a staff member
        mid sign-in (`challenge`); it takes effect when `confirm` sees a valid code."""
        secret = pyotp.random_base32(32)

        def work(tx: Tx) -> Enrolment:
            row = self._subject(tx, actor, challenge)
            if row.totp_enabled:
                raise PermissionDenied(
                    "A second factor is already set up; a supervisor can reset it."
                )
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(totp_secret_enc=self._encrypt(row.id, secret), totp_last_step=None)
            )
            audit.record(
                tx, actor, "totp.enrol_start", f"user {row.username}", actor_name=row.username
            )
            uri = pyotp.TOTP(secret).provisioning_uri(
                name=row.username, issuer_name=self._ctx.settings.bank_name
            )
            return Enrolment(secret=secret, uri=uri, qr_lines=qr_lines(uri))

        return self._ctx.db.write(work)

    def confirm_enrolment(self, actor: Actor, code: str) -> tuple[str, ...]:
        """A signed-in user proves the new secret works; returns recovery codes (shown once)."""
        return self._ctx.db.write(
            lambda tx: self.confirm_in(tx, self._subject(tx, actor, ""), code, actor)
        )

    def confirm_in(self, tx: Tx, row: Any, code: str, actor: Actor | None) -> tuple[str, ...]:
        if row.totp_enabled or not row.totp_secret_enc:
            raise PermissionDenied("There is no second-factor enrolment in progress.")
        step = self._matching_step(tx, row, code)
        if step is None:
            raise InvalidSecondFactor("That code is not right; check the time on your device.")
        codes = tuple(
            "-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)
        )
        tx.conn.execute(
            update(_users)
            .where(_users.c.id == row.id)
            .values(
                totp_enabled=True,
                totp_last_step=step,
                recovery_codes=json.dumps([self._recovery_hash(c) for c in codes]),
            )
        )
        audit.record(tx, actor, "totp.enrol", f"user {row.username}", actor_name=row.username)
        return codes

    # -- verification ---------------------------------------------------------------------

    def check_in(self, tx: Tx, row: Any, code: str) -> str | None:
        """Accept a current TOTP code or an unused recovery code for an enrolled user; the
        accepted step or recovery code cannot be used again. Returns how, or None."""
        step = self._matching_step(tx, row, code)
        if step is not None:
            tx.conn.execute(update(_users).where(_users.c.id == row.id).values(totp_last_step=step))
            return "totp"
        stored = json.loads(row.recovery_codes or "[]")
        digest = self._recovery_hash(code)
        for index, candidate in enumerate(stored):
            if hmac.compare_digest(candidate, digest):
                del stored[index]
                tx.conn.execute(
                    update(_users)
                    .where(_users.c.id == row.id)
                    .values(recovery_codes=json.dumps(stored))
                )
                return "recovery code"
        return None

    def _matching_step(self, tx: Tx, row: Any, code: str) -> int | None:
        digits = "".join(code.split())
        if not (digits.isdigit() and len(digits) == 6) or not row.totp_secret_enc:
            return None
        totp = pyotp.TOTP(self._decrypt(row.id, row.totp_secret_enc))
        current = unix_step(tx.now)
        last = row.totp_last_step if row.totp_last_step is not None else -1
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
            if step > last and hmac.compare_digest(totp.generate_otp(step), digits):
                return step
        return None

    # -- administration -------------------------------------------------------------------

    def reset(self, actor: Actor, user_id: int) -> None:
        """An admin clears a user's second factor; staff enrol again at their next sign-in."""

        def work(tx: Tx) -> None:
            require_admin(tx, actor)
            if user_id == actor.user_id:
                raise PermissionDenied("Another supervisor must reset your second factor.")
            row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
            if row is None:
                raise UserNotFound("No such user.")
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == user_id)
                .values(
                    totp_enabled=False,
                    totp_secret_enc=None,
                    totp_last_step=None,
                    recovery_codes=None,
                )
            )
            audit.record(tx, actor, "totp.reset", f"user {row.username}")

        self._ctx.db.write(work)

    def remaining_recovery_codes(self, actor: Actor) -> int:
        def work(tx: Tx) -> int:
            row = self._subject(tx, actor, "")
            return len(json.loads(row.recovery_codes or "[]"))

        return self._ctx.db.read(work)

    def enrol_with_secret(self, user_id: int, secret: str) -> None:
        """Operator only (the demo): enrol a user with a known secret, no recovery codes."""
        if len(secret) < 16:
            raise ValidationFailed("A TOTP secret needs at least 16 base32 characters.")

        def work(tx: Tx) -> None:
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == user_id)
                .values(
                    totp_secret_enc=self._encrypt(user_id, secret),
                    totp_enabled=True,
                    totp_last_step=None,
                    recovery_codes="[]",
                )
            )
            audit.record(tx, None, "totp.enrol", f"user {user_id}", actor_name="operator")

        self._ctx.db.write(work)

    # -- shared steps ---------------------------------------------------------------------

    def _subject(self, tx: Tx, actor: Actor | None, challenge: str) -> Any:
        if actor is not None:
            require_active(tx, actor)
            user_id = actor.user_id
        else:
            user_id = self.peek_challenge(challenge).user_id
        row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
        if row is None or row.status != "active":
            raise UserNotFound("No such user.")
        return row
