"""Key pairs of local actors: RSA 2048, made the first time an actor is needed.

The private key is stored as encrypted PKCS#8 (``BestAvailableEncryption``) under a
password derived from ``SECRET_KEY`` (and tried against ``SECRET_KEY_FALLBACKS``, so a
rotated secret keeps working while the old one is listed). A key that no secret opens
any more is replaced by a new pair: remote servers fetch the actor again when a
signature stops verifying, so followers are kept.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from watchworthy.accounts.models import User

from .models import LocalActor

KEY_SALT = "watchworthy.fediverse.private-key"


def _password(secret: str) -> bytes:
    return (
        salted_hmac(KEY_SALT, "actor-key", secret=secret, algorithm="sha256").hexdigest().encode()
    )


def _new_pair() -> tuple[str, bytes]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    encrypted = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_password(settings.SECRET_KEY)),
    )
    return public_pem, encrypted


def private_key(actor: LocalActor) -> rsa.RSAPrivateKey:
    """The actor's private key, decrypted; a new pair when no secret opens it."""
    stored = bytes(actor.private_key_encrypted)
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            key = serialization.load_pem_private_key(stored, password=_password(secret))
        except ValueError:
            continue
        if isinstance(key, rsa.RSAPrivateKey):
            return key
    actor.public_key_pem, actor.private_key_encrypted = _new_pair()
    actor.save(update_fields=["public_key_pem", "private_key_encrypted"])
    return private_key(actor)


def _get_or_make(**lookup: object) -> LocalActor:
    found = LocalActor.objects.filter(**lookup).first()
    if found is not None:
        return found
    public_pem, encrypted = _new_pair()
    try:
        with transaction.atomic():
            return LocalActor.objects.create(
                public_key_pem=public_pem, private_key_encrypted=encrypted, **lookup
            )
    except IntegrityError:  # another request made it a moment ago
        return LocalActor.objects.get(**lookup)


def actor_for(user: User) -> LocalActor:
    """The critic's actor row, with a key pair made on first need."""
    return _get_or_make(user=user, is_instance=False)


def instance_actor() -> LocalActor:
    return _get_or_make(user=None, is_instance=True)
