"""Pydantic models for the forms people fill in; they turn raw text into checked values."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bankapp.domain.validation import clean_email, clean_phone, clean_text, clean_username
from bankapp.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


class ProfileInput(BaseModel):
    """An account holder's details."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=False)

    full_name: str
    email: str
    phone: str = ""
    address: str = ""

    @field_validator("full_name")
    @classmethod
    def _name(cls, v: str) -> str:
        return clean_text(v, field="full_name", label="Full name", max_length=100)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        return clean_email(v)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return clean_phone(v)

    @field_validator("address")
    @classmethod
    def _address(cls, v: str) -> str:
        return clean_text(
            v, field="address", label="Address", max_length=300, required=False, multiline=True
        )


class RegistrationInput(ProfileInput):
    """Everything a new customer types to register."""

    username: str
    password: str
    password_confirm: str

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        return clean_username(v)


def parse_form(model: type[M], **values: Any) -> M:
    """Build `model`, raising the first problem as a ValidationFailed naming its field."""
    try:
        return model(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, ValidationFailed):
            raise cause from None
        field = str(error["loc"][0]) if error["loc"] else None
        label = (field or "value").replace("_", " ").capitalize()
        raise ValidationFailed(f"{label}: {error['msg']}", field=field) from None
