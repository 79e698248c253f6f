"""The user list: keyset pages by name, a search within names, damaged cursors refused."""

from __future__ import annotations

from httpx import AsyncClient

from tests.conftest import SignIn
from tests.factories import HUIMIN

NAMES = ["王芳", "王强", "李娜", "张伟", "刘洋", "陈静", "Wang Lei"]


async def walk(client: AsyncClient, query: str) -> list[dict]:
    items, cursor = [], None
    while True:
        page = await client.get(f"/api/users?{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if (cursor := page.json()["next_cursor"]) is None:
            return items


async def test_users_come_in_pages_by_name(client: AsyncClient, sign_in: SignIn) -> None:
    for name in NAMES:
        await sign_in("inspector", HUIMIN, name=name)
    everyone = (await client.get("/api/users?limit=200")).json()
    assert everyone["next_cursor"] is None and len(everyone["items"]) == len(NAMES) + 1  # and the admin

    pages = await walk(client, "limit=3")

    assert pages == everyone["items"]  # the same users in the same order, none twice, none left out
    assert [u["display_name"] for u in pages] == [u["display_name"] for u in everyone["items"]]


async def test_users_searched_by_name(client: AsyncClient, sign_in: SignIn) -> None:
    for name in NAMES:
        await sign_in("inspector", HUIMIN, name=name)

    assert {u["display_name"] for u in await walk(client, "q=王&limit=1")} == {"王芳", "王强"}
    assert {u["display_name"] for u in await walk(client, "q=Wang")} == {"Wang Lei"}
    assert await walk(client, "q=赵") == []


async def test_bad_list_parameters_are_refused(client: AsyncClient) -> None:
    for query, field in (("q=%25_", "q"), ("cursor=forged.cursor", "cursor"), ("limit=0", "limit"), ("limit=201", "limit")):
        response = await client.get(f"/api/users?{query}")
        assert response.status_code == 400, query
        assert response.json()["extra"][0]["key"] == field, response.text
