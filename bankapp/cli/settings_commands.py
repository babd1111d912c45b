"""`bankapp settings show` and `bankapp settings set NAME VALUE`: the local operator reads and
changes the installation settings every workstation uses (kept in the database)."""

from __future__ import annotations

import argparse

from bankapp.bank import open_bank

EXIT_OK = 0


def cmd_settings(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        if args.settings_command == "set":
            change = bank.operator.set_setting(args.name, args.value)
            print(f"bankapp: {change.label} ({change.name}): {change.old} → {change.new}")
            return EXIT_OK
        views = bank.operator.settings()
    finally:
        bank.close()
    name_width = max(len(view.name) for view in views)
    value_width = max(len(view.value) for view in views)
    for view in views:
        if view.is_default:
            where = "default"
        else:
            when = view.changed_at.strftime("%Y-%m-%d %H:%M") if view.changed_at else ""
            where = f"set by {view.changed_by} {when} (default {view.default})"
        if view.pending:
            where += f"; waiting: request {', '.join(str(i) for i in view.pending)}"
        if not view.changeable:
            where += "; fixed"
        print(f"{view.name:<{name_width}}  {view.value:>{value_width}}  {view.label} · {where}")
    return EXIT_OK
