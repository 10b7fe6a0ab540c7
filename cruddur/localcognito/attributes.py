"""User attributes of a pool that signs in by e-mail: parsing and checking the attribute lists
clients send, rendering them back, normalising e-mails and masking them for CodeDeliveryDetails."""

import re

from .errors import CognitoError, invalid_parameter
from .models import User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRITABLE = ("email", "name", "preferred_username")
READ_ONLY = ("sub", "email_verified")
MAX_VALUE = 2048


def normalize_email(value: str) -> str:
    return value.strip().lower()


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value))


def mask_email(email: str) -> str:
    """Cognito's masked destination: `jane@example.com` → `j***@e***`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def delivery_details(email: str) -> dict:
    return {"Destination": mask_email(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def parse_attributes(attributes: list[dict] | None, *, admin: bool = False) -> dict[str, str]:
    """{name: value} from [{"Name", "Value"}], refusing attributes the pool does not let users set
    (an administrator may also set email_verified, AdminUpdateUserAttributes' way to skip the code)."""
    result: dict[str, str] = {}
    for item in attributes or []:
        name, value = item.get("Name"), item.get("Value")
        if name in READ_ONLY and not (admin and name == "email_verified"):
            raise invalid_parameter(f"Cannot modify the non-mutable attribute {name}")
        if name not in WRITABLE and name not in READ_ONLY:
            raise invalid_parameter(
                f"Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
            )
        if not isinstance(value, str):
            raise invalid_parameter(
                f"Attributes did not conform to the schema: {name}: The attribute {name} is required"
            )
        if len(value) > MAX_VALUE:
            raise invalid_parameter(
                f"1 validation error detected: Value at 'userAttributes.{name}.member.value' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_VALUE}"
            )
        result[name] = value
    return result


def handle_key(preferred_username: str | None) -> str | None:
    return preferred_username.strip().lower() if preferred_username else None


def handle_taken(exception: str) -> CognitoError:
    return CognitoError(exception, "An account with the given preferred_username already exists.")


def user_attributes(user: User) -> list[dict]:
    """The list GetUser returns, values as strings (booleans as "true"/"false")."""
    items = [("sub", user.sub), ("email_verified", "true" if user.email_verified else "false")]
    if user.name is not None:
        items.append(("name", user.name))
    if user.preferred_username is not None:
        items.append(("preferred_username", user.preferred_username))
    if user.email_attribute is not None:
        items.append(("email", user.email_attribute))
    if user.identities:
        items.append(("identities", user.identities))
    return [{"Name": name, "Value": value} for name, value in items]
