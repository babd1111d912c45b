"""The audit log for admins: newest first, keyset paged by sequence number, filtered by user,
kind and date; and the same chain check as `bankapp audit verify`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, select

from bankapp.domain.types import Actor, AuditLine, Caller
from bankapp.domain.validation import check_day
from bankapp.errors import NotFound, ValidationFailed
from bankapp.services.access import require_admin, require_id
from bankapp.services.audit import to_line
from bankapp.services.chain_walk import ChainReport, verify_chain
from bankapp.services.context import ServiceContext
from bankapp.storage.database import Tx
from bankapp.storage.models import AuditEvent

_events = AuditEvent
MAX_PAGE = 500


@dataclass(frozen=True)
class AuditFilter:
    """Every field optional: `user` is the actor name, `kind` an exact kind or a prefix
    ending in "." (e.g. "login."), dates are inclusive UTC days."""

    user: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        if self.since is not None:
            check_day(self.since, field="since")
        if self.until is not None:
            check_day(self.until, field="until")
        if self.since and self.until and self.since > self.until:
            raise ValidationFailed("The start date must not be after the end date.", field="since")
        out: list[ColumnElement[bool]] = []
        if self.user.strip():
            out.append(_events.c.actor_name == self.user.strip()[:64])
        kind = self.kind.strip()[:48]
        if kind.endswith("."):
            out.append(_events.c.kind.startswith(kind, autoescape=True))
        elif kind:
            out.append(_events.c.kind == kind)
        if self.since:
            out.append(_events.c.at >= datetime.combine(self.since, time()))
        if self.until:
            out.append(_events.c.at < datetime.combine(self.until, time()) + timedelta(days=1))
        return out


@dataclass(frozen=True)
class AuditPage:
    lines: tuple[AuditLine, ...]
    next_cursor: int | None  # pass as `before_seq` for the next (older) page


class AuditLogService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def page(
        self,
        actor: Actor,
        *,
        filters: AuditFilter | None = None,
        before_seq: int | None = None,
        limit: int = 50,
    ) -> AuditPage:
        limit = max(1, min(limit, MAX_PAGE))
        conditions = (filters or AuditFilter()).conditions()

        def work(tx: Tx, caller: Caller) -> AuditPage:
            require_admin(caller)
            stmt = select(_events).where(*conditions).order_by(_events.c.seq.desc())
            if before_seq is not None:
                stmt = stmt.where(_events.c.seq < require_id(before_seq, NotFound, "page"))
            rows = tx.conn.execute(stmt.limit(limit + 1)).all()
            lines = tuple(to_line(r) for r in rows[:limit])
            return AuditPage(lines, lines[-1].seq if len(rows) > limit else None)

        return self._ctx.read_as(actor, work)

    def verify(self, actor: Actor) -> ChainReport:
        """Walk the whole hash chain (what `bankapp audit verify` does)."""

        def work(tx: Tx, caller: Caller) -> ChainReport:
            require_admin(caller)
            return verify_chain(tx.conn, self._ctx.db.keys)

        return self._ctx.read_as(actor, work)
