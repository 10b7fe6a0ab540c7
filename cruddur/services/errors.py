"""What a service refuses, with a code for the friendly-text table and the field it concerns."""


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError, ValueError):
    """An input the caller can fix; `field` names it (message, ttl, cursor, handle, ...)."""

    code = "invalid"

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class NotFound(ServiceError, LookupError):
    """No such live crud or profile. Expired cruds are not found: they are gone for everyone."""

    code = "not_found"


class Conflict(ServiceError):
    """The request clashes with what exists (a handle someone else has)."""

    code = "conflict"


class ProfileRequired(ServiceError):
    """The signed-in person has no profile row yet, so they cannot write (sign-up makes it)."""

    code = "profile_required"
