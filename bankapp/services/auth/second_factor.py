"""TOTP second factor (RFC 6238): enrolment with a terminal QR code, verification with ±1 step
of drift and no reuse of an accepted step, recovery codes shown once and stored hashed.

Secrets at rest are AES-256-GCM ciphertexts under a sub-key of the installation key
(`bankapp.storage.installation_key`), bound to the user id, so a copy of the database alone
reveals no secret and a ciphertext moved to another user's row does not decrypt.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyotp
import qrcode
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import or_, select, update

from bankapp.domain.keyed_hashes import derive_key, keyed_hash
from bankapp.domain.types import Actor, Caller, LoginResult, SessionState
from bankapp.errors import InvalidSecondFactor, PermissionDenied, UserNotFound, ValidationFailed
from bankapp.services import audit
from bankapp.services.auth.credentials import login_result
from bankapp.services.context import ServiceContext
from bankapp.services.sessions import advance
from bankapp.storage.database import Tx
from bankapp.storage.installation_key import installation_key
from bankapp.storage.models import User

_users = User

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 8
MAX_CODE = 64
ENROL_STATES = frozenset({SessionState.MUST_ENROL_SECOND_FACTOR, SessionState.ACTIVE})
_CIPHER_PREFIX = "v1:"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment screen shows: the text key, the otpauth URI and its QR code."""

    secret: str
    uri: str
    qr_lines: tuple[str, ...]


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


def encrypt_secret(key: bytes, user_id: int, secret: str) -> str:
    """A TOTP secret sealed (AES-GCM) under `key`'s TOTP sub-key, bound to the user."""
    nonce = secrets.token_bytes(12)
    aead = AESGCM(derive_key(key, "totp-secret-encryption"))
    sealed = aead.encrypt(nonce, secret.encode(), f"user:{user_id}".encode())
    return _CIPHER_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_secret(key: bytes, user_id: int, stored: str) -> str:
    if not stored.startswith(_CIPHER_PREFIX):
        raise InvalidSecondFactor("The second-factor secret is damaged; ask a supervisor.")
    raw = base64.urlsafe_b64decode(stored[len(_CIPHER_PREFIX) :])
    aead = AESGCM(derive_key(key, "totp-secret-encryption"))
    try:
        plain = aead.decrypt(raw[:12], raw[12:], f"user:{user_id}".encode())
    except InvalidTag:
        raise InvalidSecondFactor(
            "The second-factor secret does not match the installation key; the key file on "
            "this workstation may be the wrong one (bankapp verify names the key it expects)."
        ) from None
    return plain.decode()


class TotpService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- keys -----------------------------------------------------------------------------

    def _current_key(self) -> bytes:
        ring = self._ctx.db.keys
        return ring.current() if ring is not None else installation_key(self._ctx)

    def _all_keys(self) -> tuple[bytes, ...]:
        ring = self._ctx.db.keys
        return ring.all_keys() if ring is not None else (installation_key(self._ctx),)

    def _encrypt(self, user_id: int, secret: str) -> str:
        return encrypt_secret(self._current_key(), user_id, secret)

    def _decrypt(self, user_id: int, stored: str) -> str:
        return decrypt_secret(self._current_key(), user_id, stored)

    def _recovery_hash(self, code: str, key: bytes | None = None) -> str:
        plain = _normalise_recovery(code)
        return keyed_hash(key or self._current_key(), "totp-recovery", plain)

    # -- enrolment ------------------------------------------------------------------------

    def begin_enrolment(self, actor: Actor) -> Enrolment:
        """A new secret for the signed-in user: a customer opting in, or a staff member whose
        sign-in waits for enrolment. It takes effect when `confirm_enrolment` sees a code."""
        secret = pyotp.random_base32(32)

        def work(tx: Tx, caller: Caller) -> Enrolment:
            row = self._user_row(tx, caller.user_id)
            if row.totp_enabled:
                raise PermissionDenied(
                    "A second factor is already set up; a supervisor can reset it."
                )
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(totp_secret_enc=self._encrypt(row.id, secret), totp_last_step=None)
            )
            audit.record(tx, caller, "totp.enrol_start", f"user {row.username}")
            uri = pyotp.TOTP(secret).provisioning_uri(
                name=row.username, issuer_name=self._ctx.settings.bank_name
            )
            return Enrolment(secret=secret, uri=uri, qr_lines=qr_lines(uri))

        return self._ctx.write_as(actor, work, states=ENROL_STATES)

    def confirm_enrolment(self, actor: Actor, code: str) -> LoginResult:
        """The user proves the new secret works; the result carries the recovery codes (show
        them once) and, for a sign-in that waited for enrolment, the now active session."""

        def work(tx: Tx, caller: Caller) -> LoginResult:
            row = self._user_row(tx, caller.user_id)
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
            audit.record(tx, caller, "totp.enrol", f"user {row.username}")
            state = SessionState.ACTIVE
            advance(tx, caller.session_id, from_states=ENROL_STATES, to_state=state)
            return login_result(tx, caller.user_id, actor.session, state, codes)

        return self._ctx.write_as(actor, work, states=ENROL_STATES)

    # -- verification ---------------------------------------------------------------------

    def _use_code(self, tx: Tx, row: Any, code: object) -> str | None:
        """(For `AuthService` in a sign-in's transaction.) Accept a current TOTP code, or an
        unused recovery code, of an enrolled user, and
        use it up in the same step: a conditional update, so a code presented on two
        workstations at once is accepted once. Returns how ("authenticator code" or
        "recovery code"), or None."""
        if not isinstance(code, str) or len(code) > MAX_CODE:
            return None
        step = self._matching_step(tx, row, code)
        if step is not None:
            used = tx.conn.execute(
                update(_users)
                .where(
                    _users.c.id == row.id,
                    or_(_users.c.totp_last_step.is_(None), _users.c.totp_last_step < step),
                )
                .values(totp_last_step=step)
            ).rowcount
            return "authenticator code" if used == 1 else None
        stored = json.loads(row.recovery_codes or "[]")
        # Codes made before a key rotation were hashed under the key of their day.
        digests = [self._recovery_hash(code, key) for key in self._all_keys()]
        for index, candidate in enumerate(stored):
            if any(hmac.compare_digest(candidate, digest) for digest in digests):
                remaining = stored[:index] + stored[index + 1 :]
                used = tx.conn.execute(
                    update(_users)
                    .where(_users.c.id == row.id, _users.c.recovery_codes == row.recovery_codes)
                    .values(recovery_codes=json.dumps(remaining))
                ).rowcount
                return "recovery code" if used == 1 else None
        return None

    def _matching_step(self, tx: Tx, row: Any, code: str) -> int | None:
        digits = "".join(code.split())
        if len(digits) != 6 or not digits.isascii() or not digits.isdigit():
            return None
        if not row.totp_secret_enc:
            return None
        totp = pyotp.TOTP(self._decrypt(row.id, row.totp_secret_enc))
        current = unix_step(tx.now)
        last = row.totp_last_step if row.totp_last_step is not None else -1
        for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
            if step > last and hmac.compare_digest(totp.generate_otp(step), digits):
                return step
        return None

    def remaining_recovery_codes(self, actor: Actor) -> int:
        def work(tx: Tx, caller: Caller) -> int:
            row = self._user_row(tx, caller.user_id)
            return len(json.loads(row.recovery_codes or "[]"))

        return self._ctx.read_as(actor, work)

    def _store_secret(self, tx: Tx, user_id: int, secret: str) -> None:
        """(For `OperatorService` only.) Enrol a user with a known secret and no recovery
        codes: the local operator's tool (the demo's published keys)."""
        if len(secret) < 16:
            raise ValidationFailed("A TOTP secret needs at least 16 base32 characters.")
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

    @staticmethod
    def _user_row(tx: Tx, user_id: int) -> Any:
        row = tx.conn.execute(select(_users).where(_users.c.id == user_id)).one_or_none()
        if row is None:
            raise UserNotFound("No such user.")
        return row
