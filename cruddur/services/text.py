"""Text a person typed, checked once before it reaches the database."""

from cruddur.services.errors import ValidationError

# What `clean_text` accepts, as a regular expression for a schema: no NUL, and at least one
# character that `str.strip` keeps. The blanks are read off `str.isspace`, the rule strip uses,
# so the pattern and the check cannot drift apart (`\s` differs between regex dialects). Every
# such character is in the Basic Multilingual Plane, so only that is scanned (4 ms, not 70).
BMP = 0x10000
_BLANKS = "".join(f"\\u{code:04x}" for code in range(BMP) if chr(code).isspace())
TEXT_PATTERN = f"^[^\\x00]*[^\\x00{_BLANKS}][^\\x00]*$"


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
