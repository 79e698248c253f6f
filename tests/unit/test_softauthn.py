"""The software authenticator interoperates with py_webauthn itself, with no app involved.

If these pass, a failing ceremony in the API tests is the server's fault, not the fake's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import webauthn
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from tests.softauthn import SoftAuthenticator, b64url, unb64url

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
USER_ID = b"user-0001-handle"


def registration_options() -> tuple[Any, dict[str, Any]]:
    opts = webauthn.generate_registration_options(
        rp_id=RP_ID,
        rp_name="Field Dossier",
        user_name="u",
        user_id=USER_ID,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    return opts, json.loads(webauthn.options_to_json(opts))


def authentication_options(
    allow: list[PublicKeyCredentialDescriptor] | None = None,
) -> tuple[Any, dict[str, Any]]:
    opts = webauthn.generate_authentication_options(
        rp_id=RP_ID,
        allow_credentials=allow or [],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return opts, json.loads(webauthn.options_to_json(opts))


def verify_registration(opts: Any, credential: dict[str, Any]) -> VerifiedRegistration:
    return webauthn.verify_registration_response(
        credential=credential,
        expected_challenge=opts.challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        require_user_verification=True,
    )


def verify_authentication(
    opts: Any, credential: dict[str, Any], reg: VerifiedRegistration, current: int = 0
) -> Any:
    return webauthn.verify_authentication_response(
        credential=credential,
        expected_challenge=opts.challenge,
        expected_rp_id=RP_ID,
        expected_origin=ORIGIN,
        credential_public_key=reg.credential_public_key,
        credential_current_sign_count=current,
        require_user_verification=True,
    )


@pytest.fixture
def registered() -> tuple[SoftAuthenticator, VerifiedRegistration]:
    auth = SoftAuthenticator()
    opts, options = registration_options()
    return auth, verify_registration(opts, auth.create(options, ORIGIN))


def test_b64url_round_trips_without_padding() -> None:
    for n in range(8):
        data = bytes(range(250, 250 - n, -1))
        assert "=" not in b64url(data)
        assert unb64url(b64url(data)) == data


def test_registration_is_accepted_by_py_webauthn() -> None:
    auth = SoftAuthenticator()
    opts, options = registration_options()
    credential = auth.create(options, ORIGIN)

    assert json.loads(json.dumps(credential)) == credential  # JSON-ready, as toJSON() gives
    assert credential["authenticatorAttachment"] == "platform"
    reg = verify_registration(opts, credential)
    assert reg.credential_id == unb64url(credential["rawId"]) == auth.credentials[0].credential_id
    assert len(reg.credential_id) == 16
    assert reg.user_verified is True
    assert reg.sign_count == 0
    assert reg.fmt == "none"
    assert auth.credentials[0].user_handle == USER_ID


def test_discoverable_authentication_is_accepted(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    opts, options = authentication_options()
    assert options["allowCredentials"] == []
    credential = auth.get(options, ORIGIN)

    verified = verify_authentication(opts, credential, reg)
    assert verified.new_sign_count == 1
    assert verified.user_verified is True
    assert verified.credential_id == reg.credential_id
    assert unb64url(credential["response"]["userHandle"]) == USER_ID

    opts, options = authentication_options()
    assert verify_authentication(opts, auth.get(options, ORIGIN), reg, current=1).new_sign_count == 2


def test_allow_credentials_picks_the_listed_credential() -> None:
    auth = SoftAuthenticator()
    regs = []
    for _ in range(2):
        opts, options = registration_options()
        regs.append(verify_registration(opts, auth.create(options, ORIGIN)))
    first = regs[0]

    opts, options = authentication_options([PublicKeyCredentialDescriptor(id=first.credential_id)])
    credential = auth.get(options, ORIGIN)
    assert unb64url(credential["rawId"]) == first.credential_id
    verify_authentication(opts, credential, first)

    # With an empty list the newest credential answers; credential_id overrides either way.
    opts, options = authentication_options()
    assert unb64url(auth.get(options, ORIGIN)["rawId"]) == regs[1].credential_id
    credential = auth.get(options, ORIGIN, credential_id=first.credential_id)
    assert unb64url(credential["rawId"]) == first.credential_id


def test_no_credential_for_the_rp_is_an_error() -> None:
    _, options = authentication_options()
    with pytest.raises(LookupError):
        SoftAuthenticator().get(options, ORIGIN)


def test_registration_from_the_wrong_origin_is_rejected() -> None:
    opts, options = registration_options()
    credential = SoftAuthenticator().create(options, "http://evil.example:8000")
    with pytest.raises(InvalidRegistrationResponse, match="origin"):
        verify_registration(opts, credential)


def test_registration_for_the_wrong_rp_id_is_rejected() -> None:
    opts, options = registration_options()
    credential = SoftAuthenticator().create(options, ORIGIN, rp_id="evil.example")
    with pytest.raises(InvalidRegistrationResponse, match="RP ID hash"):
        verify_registration(opts, credential)


def test_registration_without_user_verification_is_rejected() -> None:
    opts, options = registration_options()
    credential = SoftAuthenticator().create(options, ORIGIN, user_verified=False)
    with pytest.raises(InvalidRegistrationResponse, match="verif"):
        verify_registration(opts, credential)


def test_registration_without_user_presence_is_rejected() -> None:
    opts, options = registration_options()
    credential = SoftAuthenticator().create(options, ORIGIN, user_present=False)
    with pytest.raises(InvalidRegistrationResponse, match="present"):
        verify_registration(opts, credential)


def test_authentication_from_the_wrong_origin_is_rejected(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    opts, options = authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="origin"):
        verify_authentication(opts, auth.get(options, "http://evil.example:8000"), reg)


def test_authentication_for_the_wrong_rp_id_is_rejected(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    opts, options = authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="RP ID hash"):
        verify_authentication(opts, auth.get(options, ORIGIN, rp_id="evil.example"), reg)


def test_authentication_without_user_verification_is_rejected(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    opts, options = authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="verif"):
        verify_authentication(opts, auth.get(options, ORIGIN, user_verified=False), reg)


def test_a_sign_count_going_backwards_is_rejected(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    opts, options = authentication_options()
    credential = auth.get(options, ORIGIN, sign_count=3)
    with pytest.raises(InvalidAuthenticationResponse, match="sign count"):
        verify_authentication(opts, credential, reg, current=5)


def test_a_signature_from_another_key_is_rejected(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    opts, options = registration_options()
    other = verify_registration(opts, SoftAuthenticator().create(options, ORIGIN))
    opts, options = authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="signature"):
        verify_authentication(opts, auth.get(options, ORIGIN), other)


def test_a_replayed_challenge_is_rejected(
    registered: tuple[SoftAuthenticator, VerifiedRegistration],
) -> None:
    auth, reg = registered
    _, old_options = authentication_options()
    opts, _ = authentication_options()
    with pytest.raises(InvalidAuthenticationResponse, match="challenge"):
        verify_authentication(opts, auth.get(old_options, ORIGIN), reg)
