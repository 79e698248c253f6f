"""A warning notice is chosen after seeing it: each template that fits the control point is
shown as its paper (A4 or A5, to scale) with its title, and opens to the whole text — offline
too, as the rest of the visit."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import call, screenshot, todays_visit

PAPER = {"A4": "A4 纸（210×297 毫米）", "A5": "A5 纸（148×210 毫米）"}


def test_an_inspector_previews_the_notice_and_its_paper_size_before_choosing(page: Page, live_server: str,
                                                                               database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "赵敏")
    templates = {t["code"]: t for t in call(page, "GET", "/api/notice-templates").json()}
    page.context.set_offline(True)
    page.locator(".visit-card", has_text=visit["enterprise"]).click()
    page.get_by_role("button", name="开始检查（记录时间和定位）").click()
    point = page.locator(f'li.point[data-point="{visit["point"]}"]')
    point.get_by_role("button", name="张贴警示语").click()

    cards = point.locator(".template")
    expect(cards.first).to_be_visible()
    shown = cards.evaluate_all("cards => cards.map(c => c.dataset.template)")
    assert shown and set(shown) <= set(templates)
    for code in shown:  # every card names its paper, drawn to scale: A5 is 148/210 of A4's width
        card = point.locator(f'.template[data-template="{code}"]')
        expect(card).to_contain_text(templates[code]["title"])
        expect(card).to_contain_text(PAPER[templates[code]["paper_size"]])
        box = card.locator(".paper").bounding_box()
        assert round(box["width"] / box["height"], 2) == round((210 / 297) if templates[code]["paper_size"] == "A4" else (148 / 210), 2)

    chosen = templates[shown[0]]
    first = cards.first
    first.get_by_role("button", name="预览").click()
    large = first.locator(".paper.large")
    for paragraph in chosen["body"].split("\n"):
        expect(large).to_contain_text(paragraph)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(page, "notice-template-preview")
    first.get_by_role("button", name="收起预览").click()
    expect(first.locator(".paper.large")).to_have_count(0)

    first.get_by_role("button", name="选用").click()
    expect(point.locator(".notice-draft")).to_contain_text(chosen["title"])
    expect(point.locator(".template")).to_have_count(0)
