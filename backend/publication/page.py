"""The public results page (/gs, 公示): published random-draw results, newest first, with a
search by enterprise name or USCC. Plain server-rendered HTML in Chinese, for a 390 px
phone, without JavaScript or sign-in, in the style of the verification page (/v/{code})."""

from __future__ import annotations

from datetime import date
from html import escape
from urllib.parse import urlencode

from backend.notices.page import STYLE
from backend.publication.schemas import PublicPage, PublicResult

PATH = "/gs"
ERRORS = {"q": "请输入企业名称中的字词，或统一社会信用代码。", "cursor": "翻页链接已失效，请从第一页重新查看。"}
EXTRA_STYLE = """
header{margin-bottom:12px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#555;font-size:14px;line-height:1.5}
form{display:flex;gap:8px;margin:12px 0}
input{flex:1;min-width:0;font-size:16px;padding:10px 12px;border:1px solid #bbb;border-radius:8px}
button{font-size:16px;padding:10px 16px;border:0;border-radius:8px;background:#1e1e1e;color:#fff}
ol{list-style:none;margin:0;padding:0}
li{background:#fff;border-radius:10px;padding:12px 16px;margin-bottom:10px}
li h2{margin:0 0 2px;font-size:17px;line-height:1.4;word-break:break-all}
.code{margin:0 0 8px;color:#555;font-size:13px;font-family:monospace}
.result{display:inline-block;border-radius:6px;padding:2px 8px;color:#fff;font-size:14px;margin-bottom:6px}
.pass{background:#1a7f37}.pass_with_rectification{background:#9a6700}.fail{background:#c8102e}
li dl{display:grid;grid-template-columns:4.5em 1fr;gap:2px 8px;padding:0;background:none}
li dt{margin:0;font-size:13px}li dd{margin:0;font-size:14px}
.note{color:#555;font-size:14px}.error{color:#c8102e;font-size:14px}
nav{display:flex;justify-content:space-between;margin:8px 0}nav a{color:#0b57d0;font-size:16px;padding:8px 0}
"""


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _result(item: PublicResult) -> str:
    facts = (("抽查计划", item.plan_title), ("检查日期", _day(item.visit_date)),
             ("公示机关", item.bureau), ("公示日期", _day(item.published_on)))
    if item.corrected_on:  # an amendment's result replaced the one first published
        facts += (("更正日期", _day(item.corrected_on)),)
    rows = "".join(f"<dt>{label}</dt><dd>{escape(value)}</dd>" for label, value in facts)
    corrected = "（已更正）" if item.corrected_on else ""
    return (f"<li><h2>{escape(item.enterprise_name)}</h2><p class=\"code\">统一社会信用代码 {escape(item.uscc)}</p>"
            f"<span class=\"result {escape(item.result)}\">检查结果：{escape(item.result_label)}{corrected}</span>"
            f"<dl>{rows}</dl></li>")


def _link(q: str | None, cursor: str | None = None) -> str:
    query = urlencode({k: v for k, v in (("q", q), ("cursor", cursor)) if v})
    return f"{PATH}?{query}" if query else PATH


def results_page(q: str | None, page: PublicPage | None, paged: bool, error: str | None = None) -> str:
    """The page of a search (``q``) or of the newest results; ``paged``: past the first
    page; ``error``: the field that made the search fail (q or cursor)."""
    if error:
        body = f'<p class="error">{ERRORS.get(error, ERRORS["q"])}</p>'
    elif page is None or not page.items:
        body = f'<p class="note">{"没有找到符合条件的抽查结果。" if q else "暂无公示的抽查结果。"}</p>'
    else:
        body = f"<ol>{''.join(_result(item) for item in page.items)}</ol>"
    links = []
    if paged:
        links.append(f'<a href="{escape(_link(q))}">« 第一页</a>')
    if page is not None and page.next_cursor:
        links.append(f'<a href="{escape(_link(q, page.next_cursor))}">下一页 »</a>')
    nav = f"<nav>{''.join(links)}</nav>" if links else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>双随机抽查结果公示</title><style>{STYLE}{EXTRA_STYLE}</style></head><body><main>"
        "<header><h1>双随机抽查结果公示</h1><p>市场监督管理部门随机抽取检查对象、随机选派执法检查人员的抽查检查结果，"
        "自公示之日起五年内可在此查询。</p></header>"
        f'<form method="get" action="{PATH}" role="search"><input type="search" name="q" value="{escape(q or "")}" '
        'maxlength="60" placeholder="企业名称或统一社会信用代码" aria-label="企业名称或统一社会信用代码" enterkeyhint="search">'
        "<button>查询</button></form>"
        f"{body}{nav}"
        "<footer>企业对公示的抽查结果有异议的，可向公示机关提出。发现违法行为，请拨打 12315 举报。</footer>"
        "</main></body></html>"
    )
