"""`bankapp create-user` and `bankapp unlock`: the local operator manages users."""

from __future__ import annotations

import argparse
import getpass
import sys

from bankapp.bank import open_bank
from bankapp.domain.types import Role
from bankapp.errors import ValidationFailed

EXIT_OK = 0


def cmd_create_user(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Repeat password: ") != password:
                raise ValidationFailed("The two passwords do not match.")
        user = bank.operator.create_user(
            username=args.username,
            password=password,
            role=args.role,
            full_name=args.full_name,
            email=args.email,
            phone=args.phone,
            must_change_password=args.role != Role.CUSTOMER.value,
        )
    finally:
        bank.close()
    print(f"bankapp: created {user.role.value} {user.username!r} (id {user.id})")
    return EXIT_OK


def cmd_unlock(args: argparse.Namespace, url: str) -> int:
    bank = open_bank(url)
    try:
        user = bank.operator.unlock(args.username)
    finally:
        bank.close()
    print(f"bankapp: {user.username} unlocked")
    return EXIT_OK
