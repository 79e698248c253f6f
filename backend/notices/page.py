"""The public verification page /v/{code}: plain server-rendered HTML in Chinese, readable
on a 390 px phone without JavaScript or sign-in. It shows what the printed notice shows,
and whether it is still in force; no internal ids, no inspectors' names."""

from __future__ import annotations

from datetime import datetime
from html import escape

from backend.clock import BUREAU_TIME
from backend.notices.schemas import NoticeOut
from backend.notices.tables import NoticeStatus

STYLE = """
body{margin:0;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;background:#f4f4f4;color:#1e1e1e}
main{max-width:640px;margin:0 auto;padding:16px}
.verdict{border-radius:10px;padding:18px 16px;color:#fff;margin-bottom:16px}
.verdict h1{margin:0 0 6px;font-size:26px}.verdict p{margin:0;font-size:15px;line-height:1.5}
.genuine{background:#1a7f37}.void{background:#c8102e}.unknown{background:#6e6e6e}
dl{background:#fff;border-radius:10px;padding:8px 16px;margin:0}
dt{color:#666;font-size:13px;margin-top:10px}dd{margin:2px 0 10px;font-size:17px;word-break:break-all}
footer{color:#777;font-size:12px;margin-top:16px;line-height:1.6}
"""


def verify_url(public_url: str, code: str) -> str:
    """What a notice's or document's QR code holds: the public verification page on the
    app's first origin."""
    return f"{public_url}/v/{code}"


def _day(moment: datetime) -> str:
    d = moment.astimezone(BUREAU_TIME)
    return f"{d.year}年{d.month}月{d.day}日"


def verification_page(notice: NoticeOut) -> str:
    """The page of a notice's code: genuine and in force, or void since when and why."""
    if notice.status == NoticeStatus.current:
        verdict = ("genuine", "真实有效", "此警示告知由市场监督管理部门张贴，现行有效。")
    elif notice.status == NoticeStatus.replaced:
        verdict = ("void", "已失效", f"此警示告知已于{_day(notice.ended_at)}被更换，该控制点现张贴有新的警示告知，"
                   "请以新警示告知为准。")
    else:
        verdict = ("void", "已失效", f"此警示告知已于{_day(notice.ended_at)}撤除。撤除原因：{escape(notice.removed_reason)}")
    rows = (("核验码", notice.code), ("警示告知", notice.title), ("企业", notice.enterprise_name),
            ("控制点", notice.control_point_name), ("张贴单位", notice.bureau), ("张贴日期", _day(notice.posted_at)))
    return shell("警示告知核验", verdict, rows, "质量安全警示告知核验 · 如发现伪造、涂改警示告知，请拨打 12315 举报。")


def unknown_code_page(code: str) -> str:
    verdict = ("unknown", "未找到", f"核验码 {escape(code.upper())} 不是本系统发出的警示告知或执法文书编码。请核对印制的"
               "8 位核验码（不含数字 0、1 与字母 O、I、L）后重新输入，或向当地市场监督管理局核实。")
    return shell("核验", verdict, (), "市场监督管理执法文书与警示告知核验 · 如发现伪造、涂改，请拨打 12315 举报。")


def shell(title: str, verdict: tuple[str, str, str], rows: tuple[tuple[str, str], ...], footer: str) -> str:
    """A verification page: the verdict (kind, heading, HTML text), the facts (escaped
    here) and a footer line."""
    kind, heading, text = verdict
    details = "<dl>" + "".join(f"<dt>{label}</dt><dd>{escape(value)}</dd>" for label, value in rows) + "</dl>" if rows else ""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}：{heading}</title><style>{STYLE}</style></head><body><main>"
        f'<section class="verdict {kind}"><h1>{heading}</h1><p>{text}</p></section>{details}'
        f"<footer>{footer}</footer>"
        "</main></body></html>"
    )
