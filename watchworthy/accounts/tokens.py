"""The token in an e-mail confirmation link.

Django's password-reset token machinery (HMAC of the user's state and a timestamp,
no database row) with its own ``key_salt``: a confirmation token is signed with a
different key than a password-reset token, so neither works in place of the other.
Adding ``is_active`` to the hashed state makes the link single-use: once the account
is active the same token no longer verifies. Links expire after
``settings.PASSWORD_RESET_TIMEOUT`` (three days by default), like reset links.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "watchworthy.accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        # The parent hashes pk, password hash, last login, timestamp and e-mail.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_confirmation_token = EmailConfirmationTokenGenerator()
