"""Cognito's default password policy, as rules a form can show and a server can enforce.

One definition serves the sign-up checklist (checked live in the browser, each rule's test as a
JavaScript expression beside its Python twin), the server's check on submit, the embedded
identity provider's pool and provisioning — so what the page promises is what the pool checks.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

# The symbols Cognito counts as special characters.
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"


@dataclass(frozen=True)
class Rule:
    label: str  # what a person reads
    met: Callable[[str], bool]  # the server's test
    browser_test: str  # the same test in JavaScript, over the password as `p`
    cognito_message: str  # Cognito's wording when the rule is broken


def _has(test: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda password: any(test(c) for c in password)


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True

    def rules(self) -> list[Rule]:
        """The rules in display order (the length first)."""
        rules = [
            Rule(
                f"At least {self.minimum_length} characters",
                lambda password: len(password) >= self.minimum_length,
                f"[...p].length >= {self.minimum_length}",
                "Password not long enough",
            )
        ]
        optional = [
            (self.require_uppercase, "An uppercase letter", str.isupper, r"/\p{Lu}/u.test(p)", "uppercase"),
            (self.require_lowercase, "A lowercase letter", str.islower, r"/\p{Ll}/u.test(p)", "lowercase"),
            (self.require_numbers, "A number", str.isdecimal, r"/\p{Nd}/u.test(p)", "numeric"),
            (
                self.require_symbols,
                "A symbol such as ! @ # $",
                SYMBOLS.__contains__,
                f"[...p].some((c) => {json.dumps(SYMBOLS)}.includes(c))",
                "symbol",
            ),
        ]
        for required, label, test, browser_test, kind in optional:
            if required:
                rules.append(Rule(label, _has(test), browser_test, f"Password must have {kind} characters"))
        return rules

    def first_violation(self, password: str) -> str | None:
        """Cognito's wording of the first unmet rule, or None when the password conforms."""
        return next((rule.cognito_message for rule in self.rules() if not rule.met(password)), None)

    def as_cognito(self) -> dict[str, int | bool]:
        """The policy in a user pool's `PasswordPolicyType` terms (provisioning, the embedded pool)."""
        return {
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
        }


DEFAULT_POLICY = PasswordPolicy()
