"""`AuthService`: users, passwords and sign-in, one job per module:

- `users.py`: registration, creating users, profiles, enabling and disabling;
- `credentials.py`: changing, resetting and unlocking passwords;
- `sign_in.py`: login, the second-factor step, locking, unlocking and ending a session;
- `throttle.py`: failed attempts counted per name, throttling and lockout;
- `second_factor.py`: TOTP enrolment and verification (`TotpService`, also `bank.totp`).

Sessions themselves (what a sign-in still owes, and the check every call makes) are
`bankapp.services.sessions`.
"""

from __future__ import annotations

from bankapp.services.auth.credentials import Credentials
from bankapp.services.auth.second_factor import TotpService
from bankapp.services.auth.sign_in import SignIn
from bankapp.services.auth.users import UserRegistry
from bankapp.services.context import ServiceContext


class AuthService(UserRegistry, Credentials, SignIn):
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.totp = TotpService(ctx)
