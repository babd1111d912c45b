"""`bankapp rotate-key`: a new installation key, in one audited transaction.

Card-number hashes and recovery-code hashes are one-way, so they cannot be re-made under a new
key without the numbers; the old key therefore stays in the key file (after the new one) and
still recognises the cards and codes made under it, while everything new is made under the
new key. What can be re-keyed is: the TOTP secrets (decrypted with the old key, encrypted with
the new one) and the audit chain (new events are linked under the new key; each event names
its key). Seals hold no keyed material. The database's installation record then names the new
key, so a workstation without it refuses to start.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from bankapp.domain.keyed_hashes import chain_key, key_fingerprint, show_fingerprint
from bankapp.services import audit
from bankapp.services.auth.second_factor import TotpService, decrypt_secret, encrypt_secret
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.installation_key import KEY_BYTES, add_newest_key
from bankapp.storage.keyring import installation_tag, read_installation
from bankapp.storage.models import Installation, User

_users = User
_installation = Installation


def rotate_key(ctx: ServiceContext, totp: TotpService, *, operator: str) -> str:
    """Add a new key first in the key file and make it the database's; returns the new
    fingerprint as people read it."""
    ring = ctx.db.keys
    assert ring is not None
    old_current = ring.current()
    new_key = secrets.token_bytes(KEY_BYTES)
    # The file first: a crash after it leaves an unused extra key, never a database naming a
    # key no file holds.
    add_newest_key(ctx.db.engine.url, new_key)
    ring.forget()
    new_fp = key_fingerprint(new_key)

    def work(tx: Tx) -> None:
        rows = tx.conn.execute(
            select(_users.c.id, _users.c.totp_secret_enc).where(
                _users.c.totp_secret_enc.is_not(None)
            )
        ).all()
        for row in rows:
            plain = decrypt_secret(old_current, row.id, row.totp_secret_enc)
            tx.conn.execute(
                update(_users)
                .where(_users.c.id == row.id)
                .values(totp_secret_enc=encrypt_secret(new_key, row.id, plain))
            )
        before = read_installation(tx.conn)
        old_fp = getattr(before, "key_fingerprint", None)
        tx.conn.execute(
            update(_installation)
            .where(_installation.c.id == 1)
            .values(key_fingerprint=new_fp, registered_at=tx.now)
        )
        tag = installation_tag(chain_key(new_key), read_installation(tx.conn))
        tx.conn.execute(update(_installation).where(_installation.c.id == 1).values(tag=tag))
        ring.adopt(new_fp)
        audit.record(
            tx,
            None,
            "key.rotate",
            "installation key",
            {"from": old_fp, "to": new_fp, "totp_secrets": len(rows)},
            actor_name=operator,
        )

    try:
        ctx.db.write(work)
    except Exception:
        ring.forget()
        raise
    return show_fingerprint(new_fp)
