from piccolo.columns import UUID, BigSerial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """One recorded action. ``hash`` = SHA-256 over ``prev_hash`` and this event's
    canonical fields, so changing or removing any row breaks every link after it."""

    id = BigSerial(primary_key=True)
    at = Timestamptz()
    actor = UUID(null=True, default=None, index=True)
    actor_name = Varchar(length=100, default="")
    action = Varchar(length=64, index=True)
    target_type = Varchar(length=32)
    target_id = Varchar(length=64)
    enterprise = UUID(null=True, default=None, index=True)
    province_code = Varchar(length=6, null=True, default=None)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, null=True, default=None, index=True)
    details = Text(default="{}")  # canonical JSON of the change
    digest = Varchar(length=64)  # SHA-256 of details
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
