from enum import Enum

from piccolo.columns import Varchar
from piccolo.table import Table


class RegionLevel(str, Enum):
    province = "province"
    city = "city"
    county = "county"


class Region(Table):
    """One administrative division, keyed by its 6-digit GB/T 2260 code.

    Each row carries the codes of its ancestors (and its own at its level), so that
    "everything under region R" is one indexed equality: ``<R.level>_code = R.code``.
    Enterprises carry the same three columns.
    """

    code = Varchar(length=6, primary_key=True)
    name = Varchar(length=40)
    name_en = Varchar(length=60)
    level = Varchar(length=8, choices=RegionLevel, index=True)
    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, null=True, default=None, index=True)
