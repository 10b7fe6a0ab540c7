"""The one error type: a Cognito exception name (`__type`) and its message, answered as HTTP 400."""


class CognitoError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict:
        return {"__type": self.code, "message": self.message}


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def not_authorized(message: str) -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


INCORRECT_CREDENTIALS = "Incorrect username or password."
ATTEMPTS_EXCEEDED = "Password attempts exceeded"
CODE_MISMATCH = "Invalid verification code provided, please try again."
# A wrong code at sign-in (TOTP, e-mailed), in Cognito's words (amplify-js issues #3066, #11069).
SIGN_IN_CODE_MISMATCH = "Invalid code or auth state for the user."
CODE_EXPIRED = "Invalid code provided, please request a code again."
LIMIT_EXCEEDED = "Attempt limit exceeded, please try after some time."
TOO_MANY_FAILED_ATTEMPTS = "Too many failed attempts, please request a code again."
USER_DISABLED = "User is disabled."
USER_NOT_FOUND = "User does not exist."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
INVALID_SESSION = "Invalid session for the user."
SESSION_USED = "Invalid session for the user, session can only be used once."


def incorrect_credentials() -> CognitoError:
    return not_authorized(INCORRECT_CREDENTIALS)


def code_mismatch() -> CognitoError:
    return CognitoError("CodeMismatchException", CODE_MISMATCH)


def sign_in_code_mismatch() -> CognitoError:
    return CognitoError("CodeMismatchException", SIGN_IN_CODE_MISMATCH)


def code_expired() -> CognitoError:
    return CognitoError("ExpiredCodeException", CODE_EXPIRED)


def user_not_found() -> CognitoError:
    return CognitoError("UserNotFoundException", USER_NOT_FOUND)


def limit_exceeded() -> CognitoError:
    return CognitoError("LimitExceededException", LIMIT_EXCEEDED)
