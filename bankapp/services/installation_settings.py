"""Installation settings as a supervisor sees them and asks for a change: a request a second
admin approves (`approvals`), carried out by `setting_changes.change_setting`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bankapp.domain.setting_catalogue import (
    CATALOGUE,
    Raw,
    SettingSpec,
    conflicts,
    parse_value,
    read_value,
    show_value,
    spec_named,
    with_values,
)
from bankapp.domain.types import Actor, Caller, Role
from bankapp.domain.validation import clean_text
from bankapp.errors import PermissionDenied, ValidationFailed
from bankapp.services.approvals.items import SETTING_CHANGE, ApprovalView, file_request
from bankapp.services.context import ServiceContext
from bankapp.services.live_settings import settings_now
from bankapp.services.setting_changes import shown
from bankapp.storage.database import Tx
from bankapp.storage.models import BankSetting, PendingApproval

_rows = BankSetting
_items = PendingApproval


@dataclass(frozen=True)
class SettingView:
    name: str
    label: str
    value: str  # shown in the bank's currency and units
    default: str
    help: str
    changeable: bool
    changed_by: str = ""  # empty: the default
    changed_at: datetime | None = None
    pending: tuple[int, ...] = ()  # requests waiting to change it

    @property
    def is_default(self) -> bool:
        return not self.changed_by


def list_settings(tx: Tx, ctx: ServiceContext) -> tuple[SettingView, ...]:
    """Every setting as it stands in the database now, with the requests waiting on it."""
    rows = {row.name: row for row in tx.conn.execute(select(_rows))}
    current = settings_now(tx.conn, ctx.live.defaults)
    waiting: dict[str, list[int]] = {}
    for item in tx.conn.execute(
        select(_items.c.id, _items.c.payload).where(
            _items.c.kind == SETTING_CHANGE, _items.c.status == "pending"
        )
    ):
        waiting.setdefault(json.loads(item.payload)["name"], []).append(int(item.id))
    currency = current.currency
    views = []
    for spec in CATALOGUE:
        row = rows.get(spec.name)
        views.append(
            SettingView(
                name=spec.name,
                label=spec.label,
                value=show_value(spec, read_value(current, spec), currency=currency),
                default=show_value(spec, read_value(ctx.live.defaults, spec), currency=currency),
                help=spec.help,
                changeable=spec.changeable,
                changed_by=row.changed_by if row else "",
                changed_at=row.changed_at if row else None,
                pending=tuple(waiting.get(spec.name, ())),
            )
        )
    return tuple(views)


def planned_change(
    tx: Tx, ctx: ServiceContext, name: object, value: object
) -> tuple[SettingSpec, Raw, Raw, int]:
    """The setting, its value now, the checked new value and the revision it replaces (0:
    the default): refused when the value is not valid, is the current one, or would break a
    rule between settings."""
    spec = spec_named(name)
    current = settings_now(tx.conn, ctx.live.defaults)
    new = parse_value(spec, value, currency=current.currency)
    old = read_value(current, spec)
    if new == old:
        raise ValidationFailed(f"{spec.label} is already {shown(spec, new, current)}.")
    problems = conflicts(with_values(current, {spec.name: new}))
    if problems:
        raise ValidationFailed(" ".join(problems), field="value")
    revision = tx.conn.execute(
        select(_rows.c.revision).where(_rows.c.name == spec.name)
    ).scalar_one_or_none()
    return spec, old, new, int(revision or 0)


class SettingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def show(self, actor: Actor) -> tuple[SettingView, ...]:
        """Every setting (supervisors only)."""

        def work(tx: Tx, caller: Caller) -> tuple[SettingView, ...]:
            _require_admin(caller)
            return list_settings(tx, self._ctx)

        return self._ctx.read_as(actor, work)

    def propose(
        self,
        actor: Actor,
        name: str,
        value: str,
        *,
        reason: str = "",
        idempotency_key: str | None = None,
    ) -> ApprovalView:
        """Ask for a setting to change; another supervisor approves it (`approvals`), and
        nothing changes until then. The value and the rules between settings are checked
        now, so a request that could not be carried out is refused at once."""
        reason = clean_text(reason, field="reason", label="Reason", max_length=140, required=False)

        def work(tx: Tx, caller: Caller) -> ApprovalView:
            _require_admin(caller)
            spec, old, new, revision = planned_change(tx, self._ctx, name, value)
            current = self._ctx.settings
            change = f"{spec.label}: {shown(spec, old, current)} → {shown(spec, new, current)}"
            return file_request(
                tx,
                caller,
                SETTING_CHANGE,
                payload={
                    "name": spec.name,
                    "old": old,
                    "new": new,
                    "replaces": revision,
                    "memo": f"{change} ({reason})" if reason else change,
                },
                idempotency_key=idempotency_key,
            )

        return self._ctx.write_as(actor, work)


def _require_admin(caller: Caller) -> None:
    if caller.role != Role.ADMIN:
        raise PermissionDenied("Only a supervisor (admin) can see and change the settings.")
