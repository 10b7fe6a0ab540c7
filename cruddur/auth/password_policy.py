"""Cognito's default password policy, as rules a form can show and a server can enforce.

One definition serves the sign-up checklist, the embedded identity provider and provisioning,
so what the page promises is exactly what the pool checks.
"""

from dataclasses import dataclass

# The symbols Cognito counts as special characters.
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True

    def checklist(self, password: str) -> list[tuple[str, bool]]:
        """Each rule as (label a person reads, whether `password` meets it), in display order."""
        rules = [(f"At least {self.minimum_length} characters", len(password) >= self.minimum_length)]
        if self.require_uppercase:
            rules.append(("An uppercase letter", any(c.isupper() for c in password)))
        if self.require_lowercase:
            rules.append(("A lowercase letter", any(c.islower() for c in password)))
        if self.require_numbers:
            rules.append(("A number", any(c.isdigit() for c in password)))
        if self.require_symbols:
            rules.append(("A symbol such as ! @ # $", any(c in SYMBOLS for c in password)))
        return rules

    def first_violation(self, password: str) -> str | None:
        """Cognito's wording of the first unmet rule, or None when the password conforms."""
        if len(password) < self.minimum_length:
            return "Password not long enough"
        checks = [
            (self.require_uppercase, str.isupper, "Password must have uppercase characters"),
            (self.require_lowercase, str.islower, "Password must have lowercase characters"),
            (self.require_numbers, str.isdigit, "Password must have numeric characters"),
            (self.require_symbols, SYMBOLS.__contains__, "Password must have symbol characters"),
        ]
        for required, test, message in checks:
            if required and not any(test(c) for c in password):
                return message
        return None


DEFAULT_POLICY = PasswordPolicy()
