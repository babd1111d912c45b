"""The one hierarchy of typed errors the service layer raises, each with a stable code."""

from __future__ import annotations

from datetime import datetime


class BankError(Exception):
    """Base of every error a user may see; `message` can be read aloud to a customer."""

    code = "bank_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


# --- input ---------------------------------------------------------------------------------


class ValidationFailed(BankError):
    """A value the user typed is not acceptable; `field` names the form field when known."""

    code = "invalid_input"


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"


class PasswordRejected(ValidationFailed):
    """The password breaks one or more rules; `problems` lists each in words."""

    code = "password_rejected"

    def __init__(self, problems: list[str], *, field: str = "password") -> None:
        super().__init__("; ".join(problems), field=field)
        self.problems = problems


class UsernameTaken(ValidationFailed):
    code = "username_taken"


class IdempotencyConflict(ValidationFailed):
    """The same idempotency key was sent again with a different request."""

    code = "idempotency_conflict"


# --- sign-in -------------------------------------------------------------------------------


class AuthenticationFailed(BankError):
    code = "authentication_failed"


class InvalidCredentials(AuthenticationFailed):
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("Username or password is incorrect.")


class AccountLocked(AuthenticationFailed):
    code = "user_locked"

    def __init__(self, until: datetime | None) -> None:
        when = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
        super().__init__(
            f"This sign-in is locked after too many failed attempts{when}. "
            "A supervisor can unlock it sooner."
        )
        self.until = until


class LoginThrottled(AuthenticationFailed):
    code = "login_throttled"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Too many failed attempts. Wait {retry_after_seconds} s before trying again."
        )
        self.retry_after_seconds = retry_after_seconds


class UserDisabled(AuthenticationFailed):
    code = "user_disabled"

    def __init__(self) -> None:
        super().__init__("This user is disabled. Ask a supervisor.")


class SecondFactorRequired(AuthenticationFailed):
    code = "second_factor_required"


class InvalidSecondFactor(AuthenticationFailed):
    code = "invalid_second_factor"


# --- permissions and lookups -----------------------------------------------------------------


class PermissionDenied(BankError):
    code = "permission_denied"


class SessionError(PermissionDenied):
    """The caller's session cannot make this call; the message says what to do."""

    code = "session_error"


class SessionInvalid(SessionError):
    """No such session, or not this user's (a forged or stale handle)."""

    code = "session_invalid"

    def __init__(self, message: str = "Your session is no longer valid; sign in again.") -> None:
        super().__init__(message)


class SessionEnded(SessionError):
    """Signed out, ended by a password change or by staff, or past its absolute lifetime."""

    code = "session_ended"

    def __init__(self, message: str = "You were signed out; sign in again.") -> None:
        super().__init__(message)


class SessionLocked(SessionError):
    """Idle too long, or locked by its user: the password unlocks it."""

    code = "session_locked"

    def __init__(self) -> None:
        super().__init__(
            "The session is locked after a period without activity; type your password to continue."
        )


class SignInIncomplete(SessionError):
    """The sign-in still owes a step (second factor, password change, enrolment)."""

    code = "sign_in_incomplete"


class NotFound(BankError):
    code = "not_found"


class AccountNotFound(NotFound):
    code = "account_not_found"


class UserNotFound(NotFound):
    code = "user_not_found"


# --- money rules ---------------------------------------------------------------------------


class MoneyRuleBroken(BankError):
    code = "money_rule"


class InsufficientFunds(MoneyRuleBroken):
    code = "insufficient_funds"

    def __init__(self, available: str, requested: str) -> None:
        super().__init__(
            f"Insufficient funds: available {available}, requested {requested}.", field="amount"
        )


class AccountNotOpen(MoneyRuleBroken):
    """The account is frozen or closed, so it cannot take part in this operation."""

    code = "account_not_open"


class AccountNotEmpty(MoneyRuleBroken):
    code = "account_not_empty"


class LimitExceeded(MoneyRuleBroken):
    code = "limit_exceeded"


class DailyLimitExceeded(LimitExceeded):
    """Over one of a customer's daily limits; `limit` and `left` are what the message says."""

    code = "daily_limit_exceeded"

    def __init__(self, message: str, *, limit: int, left: int) -> None:
        super().__init__(message, field="amount")
        self.limit = limit
        self.left = left


class SameAccount(MoneyRuleBroken):
    code = "same_account"


class StatementMismatch(BankError):
    """A recorded statement can no longer be rebuilt identically from the ledger."""

    code = "statement_mismatch"


# --- cards (messages never contain a full card number or CVV) -------------------------------


class CardNotFound(NotFound):
    code = "card_not_found"


class InvalidCreditLimit(ValidationFailed):
    code = "invalid_credit_limit"


class CardStatusConflict(BankError):
    """The card's status does not allow this (e.g. unfreezing a card reported stolen)."""

    code = "card_status_conflict"


class CardDeclined(MoneyRuleBroken):
    """A card purchase was refused; nothing was charged."""

    code = "card_declined"


class CardDetailsInvalid(CardDeclined):
    """The presented number or expiry date is not a card we recognise."""

    code = "card_details_invalid"


class CardSecurityCodeWrong(CardDeclined):
    code = "card_cvv_wrong"


class CardFrozen(CardDeclined):
    code = "card_frozen"


class CardBlocked(CardDeclined):
    """The card was reported lost or stolen, cancelled or replaced: it can never be used."""

    code = "card_blocked"


class CardExpired(CardDeclined):
    code = "card_expired"


class CardExpiryWrong(CardDetailsInvalid):
    """The expiry date presented does not match the card; counted like a wrong CVV."""

    code = "card_expiry_wrong"


class CardInsufficientFunds(CardDeclined):
    code = "card_insufficient_funds"


class CreditLimitExceeded(CardDeclined):
    code = "credit_limit_exceeded"


class DrawerRequired(MoneyRuleBroken):
    """Staff take or pay out cash only through their own open cash drawer."""

    code = "drawer_required"


class DrawerState(MoneyRuleBroken):
    """The cash drawer is not in a state for this (already open, already closed...)."""

    code = "drawer_state"


class ApprovalRequired(MoneyRuleBroken):
    """Over the maker-checker threshold: submit it for a supervisor's approval instead."""

    code = "approval_required"


class ApprovalState(BankError):
    """The approval item was already decided, or this user may not decide it."""

    code = "approval_state"


# --- storage -------------------------------------------------------------------------------


class RequestOutdated(BankError):
    """What a request asked for no longer fits (a setting changed since it was asked for)."""

    code = "request_outdated"


class StorageError(BankError):
    """The database cannot be used; the message says why and what to do."""

    code = "storage_error"


class DatabaseMissing(StorageError):
    code = "database_missing"


class DatabaseReadOnly(StorageError):
    code = "database_read_only"


class NotADatabase(StorageError):
    code = "not_a_database"


class SchemaTooNew(StorageError):
    code = "schema_too_new"


class SchemaOutdated(StorageError):
    code = "schema_outdated"


class DatabaseBusy(StorageError):
    code = "database_busy"


class DatabaseUnavailable(StorageError):
    code = "database_unavailable"


class SecretKeyUnavailable(StorageError):
    """The installation key (bankapp.key) is missing, unreadable or too weak."""

    code = "secret_key_unavailable"


class ProcessOptionInvalid(StorageError):
    """A `BANKAPP_*` environment variable holds a value this process cannot use."""

    code = "process_option_invalid"


class KeyMismatch(StorageError):
    """This process's installation key is not the one the database belongs to."""

    code = "key_mismatch"


class AppendOnly(StorageError):
    """An attempt to change or remove a row of the books or the audit trail."""

    code = "append_only"
