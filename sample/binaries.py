"""Bodies the sample site makes at serve time instead of keeping as files.

Attachments are tiny but structurally valid (a PDF with an xref table, an
OOXML workbook, an OLE2-headed Word file, a zip), and byte-for-byte
deterministic so WARC digests are stable between runs. The large pages, the
gzip bombs and the deeply nested page are generated because committing them would
bloat the repository.
"""

from __future__ import annotations

import gzip
import io
import zipfile

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "zip": "application/zip",
}

# Fixed timestamp for zip members: deterministic bytes between runs.
_ZIP_DATE = (2023, 12, 19, 10, 30, 0)


def make_attachment(kind: str, title: str) -> bytes:
    if kind == "pdf":
        return make_pdf(title)
    if kind == "xlsx":
        return make_xlsx(title)
    if kind == "doc":
        return make_doc(title)
    if kind == "zip":
        return make_zip(title)
    raise ValueError(f"unknown attachment kind {kind!r}")


def make_pdf(title: str) -> bytes:
    """A one-page PDF 1.4 whose xref offsets are correct."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref_at = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()


def _zip(members: list[tuple[str, str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def make_xlsx(title: str) -> bytes:
    """A minimal OOXML workbook with one sheet holding ``title`` in A1."""
    escaped = title.replace("&", "&amp;").replace("<", "&lt;")
    return _zip(
        [
            (
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                "</Types>",
            ),
            (
                "_rels/.rels",
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>",
            ),
            (
                "xl/workbook.xml",
                '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
            ),
            (
                "xl/_rels/workbook.xml.rels",
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>",
            ),
            (
                "xl/worksheets/sheet1.xml",
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{escaped}</t></is></c></row></sheetData></worksheet>',
            ),
        ]
    )


def make_doc(title: str) -> bytes:
    """The OLE2 compound-file header a .doc starts with, padded to one sector, then the title."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900")
    header = header.ljust(512, b"\x00")
    return header + title.encode("utf-16-le").ljust(512, b"\x00")


def make_zip(title: str) -> bytes:
    return _zip([("readme.txt", title + "\n")])


def make_large_page(size: int = 3 * 1024 * 1024) -> bytes:
    """An HTML page of at least ``size`` bytes (for DOWNLOAD_MAXSIZE tests)."""
    paragraph = "<p>" + "大型页面测试段落，用于检验下载体积上限。" * 20 + "</p>\n"
    head = "<html><head><meta charset=\"utf-8\"><title>大型页面</title></head><body>\n"
    chunk = paragraph.encode("utf-8")
    repeats = size // len(chunk) + 1
    return head.encode("utf-8") + chunk * repeats + b"</body></html>\n"


def make_deep_page(depth: int = 10_000) -> bytes:
    """An article page whose text sits inside ``depth`` nested ``<div>``s (deeper than libxml2 builds)."""
    head = ('<html><head><meta charset="utf-8"><title>深层嵌套页面测试</title></head><body>\n'
            "<h1>深层嵌套页面测试</h1>\n")
    text = ("<p>本页用于检验解析器对深层嵌套结构的处理。正文位于多层嵌套的容器之中，"
            "抓取程序应当完整取得这段文字，而不是写出一条正文为空的记录。</p>\n"
            "<p>第二段正文：各地民政部门要做好冬春期间困难群众基本生活保障工作。</p>\n")
    return (head + '<div class="level">' * depth + text + "</div>" * depth + "</body></html>\n").encode("utf-8")


def make_gzip_bomb(inflated_size: int = 210 * 1024 * 1024) -> bytes:
    """Gzip data of zeros that inflates to ``inflated_size`` bytes (about 200 KB on the wire).

    It is a run of identical gzip members (RFC 1952 allows concatenation; every
    gzip reader, Scrapy's included, inflates them all), so making it costs one
    1 MiB compression instead of compressing 200 MB.
    """
    block_size = 1024 * 1024
    member = gzip.compress(bytes(block_size), compresslevel=9, mtime=0)
    count, remainder = divmod(inflated_size, block_size)
    tail = gzip.compress(bytes(remainder), compresslevel=9, mtime=0) if remainder else b""
    return member * count + tail
