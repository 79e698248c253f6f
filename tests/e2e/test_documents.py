"""The legal paper in the app: the on-site record previewed on the phone in airplane mode,
before the representative signs, prints the same words as the server's PDF; a filed
visit's documents open as PDFs (for the inspector, the dossier and the enterprise); the
registry's export is a CSV Excel opens in Chinese; the dossier's case file downloads as a
ZIP whose SHA256SUMS hold."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Callable

from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from backend import clock, db
from backend.accounts.tables import User
from backend.clock import BUREAU_TIME, bureau_today
from tests.conftest import run_async
from tests.e2e.conftest import HUIMIN, call, enrol, screenshot, submit_visit, todays_visit
from tests.e2e.test_offline_visit import jpeg, sign, submit_on_phone

CERTIFICATES = {"高翔": "SD1621-0007", "张伟": "SD1621-0012"}
PREVIEW_ONLY = ("预览：提交后由系统编号，打印件以此内容为准", "（编号待定）")


def set_certificates(database_url: str) -> None:
    async def update() -> None:
        async with db.connected(database_url):
            for name, number in CERTIFICATES.items():
                await User.update({User.certificate_no: number}).where(User.display_name == name,
                                                                       User.region_code == HUIMIN)

    run_async(update())


def camera_jpeg(colour: tuple[int, int, int]) -> dict:
    """A JPEG as a phone camera writes it: its own capture time (two minutes ago, Beijing
    time, with its offset) and GPS position, which the server prints instead of the phone's."""
    exif = Image.Exif()
    exif.get_ifd(0x8769).update({0x9003: (clock.now().astimezone(BUREAU_TIME) - timedelta(minutes=2)).strftime(
        "%Y:%m:%d %H:%M:%S"), 0x9011: "+08:00"})
    exif.get_ifd(0x8825).update({1: "N", 2: (37.0, 29.0, 12.5), 3: "E", 4: (117.0, 30.0, 0.36)})
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG", quality=80, exif=exif.tobytes())
    return {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_record_preview_offline_prints_what_was_signed(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "高翔")
    # The phone learns the team's names and certificate numbers from the visit (its `members`).
    set_certificates(database_url)
    page.goto(f"{live_server}/today")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    page.context.set_offline(True)
    page.locator(".visit-card", has_text=visit["enterprise"]).click()
    page.get_by_role("button", name="开始检查（记录时间和定位）").click()
    first, second = page.locator("li.item[data-item]").nth(0), page.locator("li.item[data-item]").nth(1)
    first.get_by_role("button", name="不符合", exact=True).click()
    first.locator('input[accept="image/*"]').set_input_files(jpeg((200, 40, 40)))
    expect(first.locator(".thumb img")).to_be_visible()
    first.get_by_label("问题描述").fill("许可证已过期，仍在生产")
    first.get_by_label("整改期限").fill((bureau_today() + timedelta(days=15)).isoformat())
    second.get_by_role("button", name="符合", exact=True).click()
    point = page.locator(f'li.point[data-point="{visit["point"]}"]')
    point.locator('input[type="file"]').first.set_input_files(camera_jpeg((40, 160, 60)))
    expect(point.locator(".thumb img")).to_have_count(1)
    sign(page, "me")
    sign(page, "colleague")
    page.locator('[data-signer="enterprise"] input[placeholder="签名人姓名"]').fill("刘建国")
    page.get_by_role("button", name="限期整改").click()

    # Before the representative signs: the record as it will print, with no signal.
    page.get_by_role("button", name="预览笔录").click()
    paper = page.frame_locator("iframe.paper")
    body = paper.locator("body")
    expect(body).to_contain_text("预览")
    expect(body).to_contain_text("（编号待定）")
    expect(body).to_contain_text(visit["enterprise"])
    expect(paper.locator("h1")).to_have_text("现场检查笔录")
    for name, number in CERTIFICATES.items():
        expect(paper.locator("tr", has_text=name).first).to_contain_text(number)
    expect(body).to_contain_text("不符合")
    expect(body).to_contain_text("许可证已过期，仍在生产")
    expect(body).to_contain_text("基本符合（限期整改）")
    photos = paper.locator("tr.photo")
    expect(photos).to_have_count(2)  # the failed item's photo and the control point's
    expect(photos.first).to_contain_text("（照片记录）")  # the camera's time: taken before the other photo
    expect(photos.first).to_contain_text("北纬 37.48681°，东经 117.50010°")
    expect(photos.last).to_contain_text("（手机时间）")
    assert paper.locator("tr.photo img").evaluate_all("imgs => imgs.every((i) => i.complete && i.naturalWidth > 0)")
    screenshot(page, "record-preview")
    preview = body.inner_text()
    page.get_by_role("button", name="关闭预览").click()

    sign(page, "enterprise")
    submit_on_phone(page)
    expect(page.get_by_role("heading", name="待发送")).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=15000)

    documents = call(page, "GET", f"/api/visits/{visit['id']}/documents").json()
    record = next(d for d in documents if d["kind"] == "record")
    printed = words(pdf_text(call(page, "GET", f"/api/documents/{record['id']}/pdf").body()))
    assert words(record["number"]) in printed and "预览" not in printed
    lines = [line for line in preview.splitlines() if line.strip() and line.strip() not in PREVIEW_ONLY]
    # The visit ends when the server files it: the preview's end time is the phone's moment.
    started = next(line for line in lines if line.startswith("检查时间")).split("至")[0]
    assert words(started) in printed
    missing = [w for line in lines if not line.startswith("检查时间") for w in line.split() if words(w) not in printed]
    assert not missing, f"words of the preview not in the printed record: {missing}"


def test_documents_of_a_filed_visit_open_as_pdf(page: Page, new_page: Callable[[], Page], live_server: str) -> None:
    enrol(page, live_server, "inspector", region=HUIMIN)
    firm = call(page, "GET", f"/api/enterprises?region={HUIMIN}&limit=1").json()["items"][0]
    later = bureau_today() + timedelta(days=30)
    visit = submit_visit(page, firm["id"], (later,))

    page.goto(f"{live_server}/visits/{visit['id']}")  # the inspector's filed visit
    documents = page.locator(".document")
    expect(documents).to_have_count(2)
    record, order = documents.filter(has_text="现场检查笔录"), documents.filter(has_text="责令改正通知书")
    expect(record).to_contain_text(re.compile(r"〔\d{4}〕\d+号"))
    expect(record.locator(".badge.valid")).to_have_text("现行")
    code = record.locator("a.mono").inner_text()
    assert record.locator("a.mono").get_attribute("href") == f"/v/{code}"
    screenshot(page, "visit-documents")
    with page.expect_popup() as opened:
        record.get_by_role("link", name="查看").click()
    assert opened.value.url.endswith("/pdf")
    with page.expect_download() as saved:
        order.get_by_role("link", name="下载").click()
    assert Path(saved.value.path()).read_bytes().startswith(b"%PDF")
    assert saved.value.suggested_filename.startswith("责令改正通知书-")

    page.goto(f"{live_server}/enterprises/{firm['id']}/dossier")  # staff: the dossier's visit list
    filed = page.locator("#visits ol.timeline li", has_text="待审核")
    filed.locator("summary", has_text="文书").click()
    expect(filed.locator(".document")).to_have_count(2)

    owner = new_page()  # the enterprise: its own documents on its dossier
    enrol(owner, live_server, "enterprise", enterprise_id=firm["id"])
    mine = owner.locator("#documents .document", has_text=code)
    expect(mine).to_have_count(1)
    pdf = call(owner, "GET", mine.get_by_role("link", name="查看").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"


def test_registry_export_and_case_file_download(page: Page, live_server: str) -> None:
    enrol(page, live_server, "inspector", region=HUIMIN)
    page.goto(f"{live_server}/enterprises?region={HUIMIN}")  # the screen's filter goes with the export
    expect(page.locator(".cards .card").first).to_be_visible()
    listed = call(page, "GET", f"/api/enterprises?region={HUIMIN}&limit=100").json()["items"]
    with page.expect_download() as saved:
        page.get_by_role("button", name="导出 CSV").click()
    content = Path(saved.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:3] == ["企业名称", "统一社会信用代码", "地址"]
    assert sorted(row[0] for row in rows) == sorted(e["name"] for e in listed)
    assert saved.value.suggested_filename.endswith(".csv")
    expect(page.get_by_role("status").filter(has_text="已保存")).to_be_visible()

    firm = call(page, "GET", f"/api/enterprises?region={HUIMIN}&limit=1").json()["items"][0]
    submit_visit(page, firm["id"], (bureau_today() + timedelta(days=30),))
    page.goto(f"{live_server}/enterprises/{firm['id']}/dossier")
    package = page.locator("#package")
    with page.expect_download() as saved:
        package.get_by_role("button", name="下载案卷（ZIP）").click()
    expect(package.get_by_role("status")).to_contain_text("已保存")
    package.scroll_into_view_if_needed()
    screenshot(page, "case-file")
    with zipfile.ZipFile(saved.value.path()) as archive:
        names = archive.namelist()
        root = names[0].split("/")[0] + "/" if all("/" in n for n in names) else ""
        sums = archive.read(next(n for n in names if n.endswith("SHA256SUMS"))).decode()
        checked = 0
        for line in sums.splitlines():
            digest, name = line.split(maxsplit=1)
            assert hashlib.sha256(archive.read(root + name.lstrip("*"))).hexdigest() == digest, name
            checked += 1
    assert checked >= 5  # the visit's photos and signatures, its documents, the manifests, the audit events


def test_admin_records_certificate_numbers(page: Page, live_server: str) -> None:
    enrol(page, live_server, role="admin", region="371600")
    page.get_by_label("角色").select_option("inspector")
    page.get_by_label("姓名").fill("钱执法")
    page.get_by_label("执法证号").fill("SD1621-0099")
    page.get_by_label("管辖地区").select_option("371621")
    with page.expect_request(lambda r: r.url.endswith("/api/invitations") and r.method == "POST") as sent:
        page.get_by_role("button", name="生成邀请链接").click()
    assert sent.value.post_data_json["certificate_no"] == "SD1621-0099"
    expect(page.get_by_label("邀请链接（只显示这一次，72 小时内有效，只能使用一次）")).to_be_visible()
    page.get_by_label("角色").select_option("enterprise")
    expect(page.get_by_label("执法证号")).to_have_count(0)  # staff only

    page.get_by_role("link", name="用户").click()
    page.get_by_label("按姓名查找用户").fill("张伟")
    expect(page.locator("[data-user]")).to_have_count(1)  # 张伟 of Huimin, once the search has run
    user = page.locator('[data-user="张伟"]')
    expect(user).to_contain_text("执法证号 37162100001")  # the demo's
    user.get_by_role("button", name="设置执法证号").click()
    user.get_by_label("执法证号").fill("SD1621-0012")
    user.get_by_role("button", name="保存").click()
    expect(user).to_contain_text("执法证号 SD1621-0012")
    screenshot(page, "admin-certificate")
    page.reload()
    expect(page.locator('[data-user="刘洋"]')).to_be_visible()
    assert [u["certificate_no"] for u in call(page, "GET", "/api/users?q=张伟").json()["items"]] == ["SD1621-0012"]
