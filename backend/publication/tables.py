"""The tables of publication: each published result, with everything the public page
shows copied onto it (so the page reads this table alone), and the admins' adjustments
of the working-day calendar."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Visit
from backend.plans.tables import Plan


class Publication(Table, tablename="publication"):
    """The published result of one random-draw visit; one per drawn visit. The result is
    that of the newest accepted visit of its chain: the drawn visit, or an amendment that
    corrects it (or corrects an amendment of it); an amendment accepted after publication
    makes the row due again, and publishing it corrects the row in place. Its serial id
    orders the public list (newest first). The region codes are the drawn visit's (staff
    scope); the rest is what the public sees, as it stood when published or corrected."""

    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict, unique=True)  # the drawn visit
    result_visit = UUID(null=True, default=None)  # the visit whose result is shown (empty: ``visit``)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.restrict, index=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, default="", index=True)
    enterprise_name = Varchar(length=200)
    uscc = Varchar(length=18, index=True)
    plan_title = Varchar(length=200)
    plan_year = Integer()
    plan_period = Varchar(length=50)
    bureau = Varchar(length=60)  # the plan's issuing bureau: its region's name + 市场监督管理局
    result = Varchar(length=24, default="")  # result_visit's conclusion (pass, pass_with_rectification, fail)
    visit_date = Date()  # the bureau's day result_visit started
    accepted_on = Date()  # the bureau's day result_visit was accepted
    due_on = Date()  # the 20th working day after acceptance
    published_at = Timestamptz()
    published_on = Date()
    withdraw_on = Date()  # five years after publication: shown before this day, not from it
    published_by = UUID(null=True, default=None)
    corrected_at = Timestamptz(null=True, default=None)  # the last correction by an amendment's result
    corrected_on = Date(null=True, default=None)


class WorkdayAdjustment(Table, tablename="workday_adjustment"):
    """An admin's word on one day, over the calendar library's: a rest day (a holiday) or
    a working day (an adjusted weekend), for years the library does not know yet."""

    day = Date(primary_key=True)
    working = Boolean()
    note = Varchar(length=200, default="")
