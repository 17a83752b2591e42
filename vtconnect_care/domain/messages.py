"""User-facing messages, word for word, in one place (rule ids beside each)."""

# R-LOGIN-1
USERNAME_IS_EMAIL = (
    "Your username is not your email address. Enter the username you chose when you set up "
    "your account."
)
INVALID_CREDENTIALS = "The username or password is incorrect."
ENTER_USERNAME = "Enter your username."
# R-LOGIN-2
PASSWORD_RESET_SENT = (
    "If an account with that username exists, we have emailed a link to reset the password. "
    "Check your inbox; the link works once and expires soon."
)
# R-LOGIN-3
FORGOT_USERNAME = (
    "If you forget your username, you must contact your Org Admin or VTConnect Support for "
    "assistance. Reminder, your username is NOT your email address!"
)
# R-LOGIN-4
ACCOUNT_INACTIVE = (
    "Your account is inactive, so you cannot sign in to the VTConnect Portal or the VTConnect "
    "Care App. Please contact your care provider."
)
ACCOUNT_PENDING_APP = (
    "Your account is waiting for approval. You can sign in to the VTConnect Office Portal, "
    "but not to the VTConnect Care App, until your care provider approves it."
)
EMAIL_NOT_CONFIRMED = (
    "Please confirm your email address first: open the link in the email we sent you."
)
CREDENTIALS_NOT_SET = (
    "Your account is not set up yet. Open the link in the email we sent you to choose a "
    "username and password."
)
TOO_MANY_ATTEMPTS = "Too many attempts. Please wait {minutes} and try again."
SESSION_EXPIRED = "Your session has expired. Please sign in again."
# a token from one sign-in (the Office Portal, or the app) used where the other one is needed
WRONG_AUDIENCE = "This sign-in is not for this part of VTConnect Care. Please sign in here."
NOT_AUTHENTICATED = "Please sign in first."
FORBIDDEN = "You do not have permission to do that."
NOT_FOUND = "We could not find that."
INTERNAL_ERROR = "Something went wrong on our side. Please try again."
SIGNED_OUT = "You are signed out."
PASSWORD_CHANGED = "Your password is changed. You can now sign in."
PASSWORDS_DIFFER = "The two passwords do not match."
EMAIL_CONFIRMED = "Your email address is confirmed. You can now sign in."
UNKNOWN_TIME_ZONE = "Unknown time zone."
TIME_ZONE_HINT = "Use a time zone name like Europe/London."
RESET_LINK_INVALID = (
    "This link is no longer valid: it has expired or has already been used. "
    'Ask for a new one with "Forgot your password?".'
)

# R-HOST-1
HOST_NEEDS_LICENCE = (
    "You must have a staff account with a practitioner license assigned to that account to "
    "host a session."
)
# R-HOST-2
CANNOT_HOST_THESE = "You cannot host a session with these people."

# R-ASSOC-1
ASSOCIATE_OWN_DEPARTMENTS = "You can only associate clients with staff of your own departments."
# R-ASSOC-3
CHOOSE_DEPARTMENT = "Choose a department."


def at_most(limit: int) -> str:
    """A field that is too long."""
    return f"Use at most {limit} characters."


def wait_minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
