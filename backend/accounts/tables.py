from piccolo.columns import (
    UUID,
    Boolean,
    BigInt,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.access import Role
from backend.enterprises.tables import Enterprise
from backend.regions.tables import Region


class User(Table, tablename="app_user"):
    """A person. Staff have a jurisdiction (a region subtree); enterprise users belong to
    one enterprise."""

    id = UUID(primary_key=True)
    display_name = Varchar(length=100)
    role = Varchar(length=16, choices=Role, index=True)
    region_code = ForeignKey(references=Region, null=True, on_delete=OnDelete.restrict, index=True)
    enterprise = ForeignKey(references=Enterprise, null=True, on_delete=OnDelete.restrict, index=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    certificate_no = Varchar(length=30, default="")  # 执法证号: an enforcement officer's certificate


class Passkey(Table):
    """A WebAuthn credential of a user (phone, desktop…)."""

    id = Varchar(length=1400, primary_key=True)  # base64url credential id
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    public_key = Bytea()
    sign_count = BigInt(default=0)
    label = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)


class Invitation(Table):
    """A one-time enrolment link. Only the token's SHA-256 is stored."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    role = Varchar(length=16, choices=Role)
    display_name = Varchar(length=100)
    region_code = ForeignKey(references=Region, null=True, on_delete=OnDelete.restrict)
    enterprise = ForeignKey(references=Enterprise, null=True, on_delete=OnDelete.restrict)
    certificate_no = Varchar(length=30, default="")  # passed on to the user at enrolment
    # Set for a new passkey of an existing user (a new or lost phone): enrolment adds the
    # passkey to this user instead of creating one.
    user = ForeignKey(references=User, null=True, on_delete=OnDelete.cascade)
    invited_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class Session(Table, tablename="user_session"):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=300, default="")


class Challenge(Table, tablename="webauthn_challenge"):
    """A WebAuthn ceremony in progress: single use, expiring, visible to every worker."""

    id = UUID(primary_key=True)
    challenge = Bytea()
    purpose = Varchar(length=16)  # register | login
    user_id = UUID(null=True, default=None)  # the user handle being registered
    invitation = ForeignKey(references=Invitation, null=True, on_delete=OnDelete.cascade)
    expires_at = Timestamptz(index=True)


class RateLimit(Table, tablename="rate_limit"):
    """Fixed-window counters shared by every worker."""

    key = Varchar(length=200, primary_key=True)
    window_start = BigInt()  # epoch seconds
    hits = Integer()
