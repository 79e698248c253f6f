"""A software WebAuthn authenticator, so that tests can run real passkey ceremonies.

The server side of sign-in uses py_webauthn, which checks everything a browser and an
authenticator hand back: the client data (type, challenge, origin), the RP ID hash, the
user-present and user-verified flags, the signature counter, the COSE public key and the
ECDSA signature. Faking any of that with canned bytes would test nothing, so this module
plays the part of a platform authenticator plus the browser's ``toJSON()``: it takes the
options exactly as the server sends them (``json.loads(webauthn.options_to_json(...))``)
and returns the credential JSON a browser would post back.

It makes resident ES256 (EC P-256) credentials with "none" attestation, which is what a
platform passkey without enterprise attestation looks like. Keyword arguments let a test
break one thing at a time (RP ID, user verification, counter) to check the server says no.

The ``soft-webauthn`` package on PyPI is not used because it conflicts with py_webauthn 3;
this one needs only ``cryptography`` and ``cbor2`` (the latter already comes with webauthn).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01  # user present
FLAG_UV = 0x04  # user verified
FLAG_AT = 0x40  # attested credential data included

AAGUID = bytes(16)


def b64url(data: bytes) -> str:
    """Base64url without padding, as WebAuthn's JSON forms use."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Inverse of :func:`b64url`; accepts the string with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    """One resident credential held by the authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False},
        separators=(",", ":"),
    ).encode()


class SoftAuthenticator:
    """An in-memory platform authenticator that speaks the browser's WebAuthn JSON."""

    def __init__(self) -> None:
        self.credentials: list[Credential] = []

    def create(
        self,
        options: dict[str, Any],
        origin: str,
        *,
        rp_id: str | None = None,
        user_verified: bool = True,
        user_present: bool = True,
    ) -> dict[str, Any]:
        """Answer ``navigator.credentials.create()``: make and remember a new credential.

        ``rp_id`` replaces the RP ID hashed into authData (the credential is still stored
        under ``options["rp"]["id"]``), to imitate an authenticator answering another site.
        """
        cred = Credential(
            credential_id=os.urandom(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=options["rp"]["id"],
            user_handle=unb64url(options["user"]["id"]),
        )
        self.credentials.append(cred)
        flags = FLAG_AT | (FLAG_UP if user_present else 0) | (FLAG_UV if user_verified else 0)
        auth_data = (
            hashlib.sha256((rp_id or cred.rp_id).encode()).digest()
            + bytes([flags])
            + cred.sign_count.to_bytes(4, "big")
            + AAGUID
            + len(cred.credential_id).to_bytes(2, "big")
            + cred.credential_id
            + cred.cose_public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], origin)
        return _public_key_credential(
            cred,
            {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
        )

    def get(
        self,
        options: dict[str, Any],
        origin: str,
        *,
        credential_id: bytes | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        sign_count: int | None = None,
    ) -> dict[str, Any]:
        """Answer ``navigator.credentials.get()`` with an assertion from a held credential.

        The credential is ``credential_id`` if given, else the first one for the options'
        RP ID that ``allowCredentials`` lists, else (empty list: discoverable sign-in) the
        newest one for that RP. ``rp_id`` replaces the hashed RP ID; ``sign_count`` sets
        the counter reported (and stored) instead of incrementing it.
        """
        cred = self._pick(options, credential_id)
        cred.sign_count = cred.sign_count + 1 if sign_count is None else sign_count
        flags = FLAG_UP | (FLAG_UV if user_verified else 0)
        auth_data = (
            hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
            + bytes([flags])
            + cred.sign_count.to_bytes(4, "big")
        )
        client_data = _client_data("webauthn.get", options["challenge"], origin)
        signature = cred.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return _public_key_credential(
            cred,
            {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(cred.user_handle),
            },
        )

    def _pick(self, options: dict[str, Any], credential_id: bytes | None) -> Credential:
        if credential_id is not None:
            for cred in self.credentials:
                if cred.credential_id == credential_id:
                    return cred
            raise LookupError(f"no credential with id {b64url(credential_id)}")
        mine = [c for c in self.credentials if c.rp_id == options["rpId"]]
        allowed = {unb64url(d["id"]) for d in options.get("allowCredentials") or []}
        if allowed:
            for cred in mine:
                if cred.credential_id in allowed:
                    return cred
        elif mine:
            return mine[-1]
        raise LookupError(f"no usable credential for RP ID {options['rpId']!r}")


def _public_key_credential(cred: Credential, response: dict[str, Any]) -> dict[str, Any]:
    """A PublicKeyCredential as the browser's toJSON() gives it."""
    return {
        "id": b64url(cred.credential_id),
        "rawId": b64url(cred.credential_id),
        "type": "public-key",
        "response": response,
        "clientExtensionResults": {},
        "authenticatorAttachment": "platform",
    }
