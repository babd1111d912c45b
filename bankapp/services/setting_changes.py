"""The one way an installation setting changes, by an approved request or by the local
operator (`bankapp settings set`): a conditional write on the revision the change replaces,
so two changes decided at once never both apply, audited with the old and the new value.
This process reads the new value at its next transaction (`LiveSettings.expire`); other
workstations within `live_settings.REFRESH_MS`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from bankapp.domain.setting_catalogue import (
    Raw,
    SettingSpec,
    conflicts,
    read_value,
    show_value,
    with_values,
)
from bankapp.domain.types import Caller
from bankapp.errors import RequestOutdated
from bankapp.services import audit
from bankapp.services.context import ServiceContext
from bankapp.services.live_settings import settings_now
from bankapp.settings import Settings
from bankapp.storage.database import Tx
from bankapp.storage.models import BankSetting

_rows = BankSetting
OPERATOR = "operator"


@dataclass(frozen=True)
class SettingChange:
    name: str
    label: str
    old: str
    new: str


def change_setting(
    tx: Tx,
    ctx: ServiceContext,
    spec: SettingSpec,
    replaces: int,
    new: Raw,
    *,
    by: Caller | None,
    approval_id: int | None = None,
) -> SettingChange:
    """Set `spec` to `new` if it still has the revision `replaces` (a conditional update, or
    an insert that fails on a row made meanwhile); otherwise RequestOutdated. The rules
    between settings are checked again against the values of this transaction."""
    current = settings_now(tx.conn, ctx.live.defaults)
    problems = conflicts(with_values(current, {spec.name: new}))
    if problems:
        raise RequestOutdated(" ".join(problems))
    old = read_value(current, spec)
    values = {
        "value": json.dumps(new),
        "changed_at": tx.now,
        "changed_by": by.username if by else OPERATOR,
        "approval_id": approval_id,
    }
    if replaces == 0:
        # A row made meanwhile: here, or a unique violation that the retry brings here.
        exists = tx.conn.execute(select(_rows.c.name).where(_rows.c.name == spec.name)).first()
        done = 0
        if exists is None:
            tx.conn.execute(insert(_rows).values(name=spec.name, revision=1, **values))
            done = 1  # (PostgreSQL reports no row count for an insert that returns its key)
    else:
        done = tx.conn.execute(
            update(_rows)
            .where(_rows.c.name == spec.name, _rows.c.revision == replaces)
            .values(revision=_rows.c.revision + 1, **values)
        ).rowcount
    if done != 1:
        raise RequestOutdated(
            f"{spec.label} was changed after this change was asked for; ask again from its "
            "value now."
        )
    change = SettingChange(
        spec.name,
        spec.label,
        shown(spec, old, current),
        shown(spec, new, current),
    )
    audit.record(
        tx,
        by,
        "setting.change",
        f"setting {spec.name}",
        {"name": spec.name, "old": old, "new": new, "approval": approval_id},
        actor_name=OPERATOR,
    )
    return change


def shown(spec: SettingSpec, raw: Raw, settings: Settings) -> str:
    return show_value(spec, raw, currency=settings.currency)
