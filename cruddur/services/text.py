"""Text a person typed, checked once before it reaches the database."""

from cruddur.services.errors import ValidationError


def clean_text(field: str, value: object, max_length: int) -> str:
    """`value` stripped, 1–`max_length` characters, storable in SQLite and PostgreSQL alike."""
    if not isinstance(value, str):
        raise ValidationError(field, f"{field} must be text")
    text = value.strip()
    if not text:
        raise ValidationError(field, f"{field} must not be empty")
    if len(text) > max_length:
        raise ValidationError(field, f"{field} must be at most {max_length} characters")
    # PostgreSQL text cannot hold NUL, and a lone surrogate (legal in JSON) is not UTF-8.
    if not storable(text):
        raise ValidationError(field, f"{field} contains characters that cannot be stored")
    return text


def storable(value: str) -> bool:
    """Whether a look-up key can reach the database at all (else it matches nothing)."""
    return "\x00" not in value and _encodes(value)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
