"""Rollups for coverage: per county and bureau day (or month), kept current in the same
transaction as the writes they count (backend/coverage/rollups.py), so that a province's
year sums a few thousand rows instead of scanning every visit. Each table has a unique
key (see the hand-written migration) that writes upsert on."""

from piccolo.columns import UUID, Date, Integer, Varchar
from piccolo.table import Table


class CoverageDay(Table, tablename="coverage_day"):
    """Per county and bureau day: visits started, findings found, findings closed.
    Key: (county_code, day)."""

    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6)
    day = Date(index=True)
    visits = Integer(default=0)
    findings_opened = Integer(default=0)
    findings_closed = Integer(default=0)


class InspectorDay(Table, tablename="inspector_day"):
    """Visits per inspector, county and day. Key: (county_code, user, day)."""

    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6)
    user = UUID()
    day = Date(index=True)
    visits = Integer(default=0)


class InspectorMonth(Table, tablename="inspector_month"):
    """Visits per inspector, county and month (its first day): the whole months of a
    period come from here, its ragged ends from InspectorDay. Key: (county_code, user, month)."""

    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6)
    user = UUID()
    month = Date(index=True)
    visits = Integer(default=0)
