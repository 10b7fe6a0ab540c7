"""Cognito's error codes, and what we tell a person about each — one table, keyed on the code.

A row keyed "Operation:Code" wins over the plain code, for codes that mean different things
per operation. Cognito's English text is never read. Messages never say whether an account
exists: an unknown e-mail reads like a wrong password, the lock-out (also
NotAuthorizedException) is covered by it, and every refusal of a code reads the same
(`CodeNotAccepted`, folded together by the account service). `{seconds}` is filled in with how
long to wait.
"""

from dataclasses import dataclass

TRY_AGAIN = "Something went wrong on our side. Please try again in a moment."


@dataclass(frozen=True)
class Friendly:
    message: str
    field: str | None = None  # the form field the error belongs to, to mark and focus it


FRIENDLY: dict[str, Friendly] = {
    "NotAuthorizedException": Friendly(
        "Incorrect email or password. After several wrong tries, sign-in pauses for a few minutes.",
        "password",
    ),
    "UserNotFoundException": Friendly(
        "Incorrect email or password. After several wrong tries, sign-in pauses for a few minutes.",
        "password",
    ),
    "ConfirmSignUp:NotAuthorizedException": Friendly("This email is already confirmed. You can sign in.", "email"),
    "ResendConfirmationCode:InvalidParameterException": Friendly(
        "This email is already confirmed. You can sign in.", "email"
    ),
    "UserNotConfirmedException": Friendly("Please confirm your email address first."),
    "PasswordResetRequiredException": Friendly("You need to reset your password before signing in.", "email"),
    "UsernameExistsException": Friendly(
        "We couldn't create an account with that email. If it's yours, sign in or reset your password.",
        "email",
    ),
    "HandleTakenException": Friendly("That username is taken. Try another one.", "handle"),
    "AliasExistsException": Friendly("That username is taken. Try another one.", "handle"),
    "InvalidPasswordException": Friendly("That password doesn't meet the rules below.", "password"),
    "CodeNotAccepted": Friendly(
        "That code isn't right or has expired. Check the newest email from us or send a new code. "
        "Already confirmed? Sign in.",
        "code",
    ),
    "LimitExceededException": Friendly("Too many attempts. Please wait a while before trying again."),
    "TooManyRequestsException": Friendly("Too many attempts. Please wait a moment and try again."),
    "CodeDeliveryFailureException": Friendly("We couldn't send the code. Please try again in a moment."),
    "InvalidParameterException": Friendly("Some of the details aren't valid. Please check them."),
    "SessionExpired": Friendly("Your session has ended. Please sign in again."),
    "RecoveryCodeNotAccepted": Friendly("That recovery code isn't right, or it was used before.", "recovery"),
    "RespondToAuthChallenge:CodeMismatchException": Friendly(
        "That code isn't right. Check your authenticator app and try the newest code.", "mfa"
    ),
    "RespondToAuthChallenge:ExpiredCodeException": Friendly(
        "That code has been used or has expired. Wait for the next one.", "mfa"
    ),
    "VerifySoftwareToken:CodeMismatchException": Friendly(
        "That code isn't right. Check that the app shows Cruddur and try the newest code.", "mfa"
    ),
    "VerifySoftwareToken:EnableSoftwareTokenMFAException": Friendly(
        "That code isn't right. Check that the app shows Cruddur and try the newest code.", "mfa"
    ),
    "SecondStepExpired": Friendly("That took too long. Sign in again."),
    "RespondToAuthChallenge:NotAuthorizedException": Friendly(
        "That took too long, or too many wrong codes. Sign in again."
    ),
    "PasswordNotAccepted": Friendly("That isn't your current password.", "current"),
    "SignInAgainToDelete": Friendly(
        "To be sure it's you, sign out and sign in again, then delete your account within five minutes."
    ),
    "ChangePassword:NotAuthorizedException": Friendly("That isn't your current password.", "current"),
    "RateLimited": Friendly("Too many attempts. Please try again in {seconds} seconds."),
    "CookiesBlocked": Friendly(
        "Your browser didn't keep the cookie Cruddur needs to sign you in. Allow cookies for this site and reload."
    ),
    "Unavailable": Friendly("We can't reach the sign-in service right now. Please try again in a moment."),
    "VerifyUserAttribute:CodeNotAccepted": Friendly(
        "That code isn't right or has expired. Check the newest email at your new address, or send a new code.",
        "email_code",
    ),
    "VerifyUserAttribute:AliasExistsException": Friendly(
        "That address is already used by another Cruddur account. Sign in with it there, or choose another.",
        "new_email",
    ),
    # Passkeys and e-mailed sign-in codes (services/passwordless.py).
    "PasskeyNotUsed": Friendly(
        "No passkey was used: it was cancelled or timed out, or this device has no passkey for that account. "
        "Try again, or sign in with your password or an emailed code."
    ),
    "EmailCodesUnavailable": Friendly("Signing in with a code by email isn't available. Use your password."),
    "PasskeyAlreadyHere": Friendly("This device already has a passkey for your account."),
    "PasskeysUnsupported": Friendly("This browser can't use passkeys. Sign in with your password or an emailed code."),
    "FreshSignInNeeded": Friendly("To add a passkey now, add it from your account page with your password."),
    "PasskeyFailed": Friendly("The passkey didn't work. Try again, or sign in with your password or an emailed code."),
    "EmailSignInCode:CodeMismatchException": Friendly(
        "That code isn't right. Check the newest email from us and try again.", "otp"
    ),
    "EmailSignInCode:ExpiredCodeException": Friendly("That code has expired. Send a new one.", "otp"),
    "EmailSignInCode:NotAuthorizedException": Friendly(
        "Too many wrong codes, or it took too long. Ask for a new code."
    ),
    # Federated sign-in ("Continue with ...": auth/managed_login.py, services/federation.py).
    "StateMismatch": Friendly("That sign-in didn't start in this browser, or it was already used. Please start again."),
    "FlowExpired": Friendly("That sign-in took too long. Please start again."),
    "CodeNotRedeemed": Friendly(
        "That sign-in couldn't be completed (it was already used or has expired). Start again."
    ),
    "TokenRefused": Friendly("We couldn't verify that sign-in. Start again, or sign in with your password."),
    "NonceMismatch": Friendly("We couldn't verify that sign-in. Start again, or sign in with your password."),
    "FederationFailed": Friendly("That sign-in couldn't be completed. Start again, or sign in with your password."),
    "ProviderRefused": Friendly("The sign-in was cancelled or refused at the other service. You can try again."),
    "UnknownProvider": Friendly("That way of signing in isn't available. Sign in with your password."),
    "UnverifiedEmail": Friendly(
        "That service hasn't verified your email address, so we can't use it to sign you in. Verify your email "
        "there and try again, or sign in with your password."
    ),
    "LinkExpired": Friendly("That took too long. Start again with the button on the sign-in page."),
    "CannotUnlink": Friendly("This is how your account signs in, so it can't be removed."),
    "Federation:NotAuthorizedException": Friendly("This account is disabled. Contact us if you think that's wrong."),
    # Checks the app makes before calling Cognito.
    "UpdateUserAttributes:InvalidEmail": Friendly("Enter an email address like name@example.com.", "new_email"),
    "SecondFactorRequired": Friendly("Cruddur requires two-step verification for everyone, so it stays on."),
    "EmailUnchanged": Friendly("That's already your email address.", "new_email"),
    "InvalidEmail": Friendly("Enter an email address like name@example.com.", "email"),
    "NameRequired": Friendly("Tell us your name.", "name"),
    "InvalidHandle": Friendly("Usernames are 2–30 letters, numbers or underscores.", "handle"),
    "PasswordMismatch": Friendly("The two passwords don't match.", "confirm"),
    # Profile pictures (services/avatars.py): nothing is stored after any of these.
    "AvatarNotAnImage": Friendly("That file isn't a PNG, JPEG or WebP picture. Choose one of those.", "avatar"),
    "AvatarTooLarge": Friendly("That picture is too large. Choose one under 5 MB and 40 megapixels.", "avatar"),
    "AvatarBadName": Friendly(
        "That file's name can't be used. Rename it to something like photo.png and choose it again.", "avatar"
    ),
    "AvatarWrongPrefix": Friendly("That picture can't be stored there.", "avatar"),
    "AvatarNotAllowed": Friendly("We couldn't store your picture. Sign in again and retry.", "avatar"),
    "AvatarsOff": Friendly("Profile pictures aren't available on this server.", "avatar"),
    "Avatar:Unavailable": Friendly("We can't store pictures right now. Please try again in a moment.", "avatar"),
}


def friendly(code: str, operation: str = "") -> Friendly:
    """The message for a Cognito error code; anything unexpected reads as a passing fault."""
    return FRIENDLY.get(f"{operation}:{code}") or FRIENDLY.get(code) or Friendly(TRY_AGAIN)
