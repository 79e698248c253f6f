import msgspec

from backend.regions.tables import RegionLevel


class RegionOut(msgspec.Struct):
    code: str
    name: str
    name_en: str
    level: RegionLevel
    province_code: str
    city_code: str | None
    county_code: str | None
