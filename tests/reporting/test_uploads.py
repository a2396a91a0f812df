"""Uploads are checked by their bytes: real PDF and DOCX files pass, everything else (other
formats renamed, ZIP and PDF bombs, zip-slip members, path-traversal names) is refused with
a message that says what, where and how to fix."""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import docx
import pytest

from urbanagenda.reporting import uploads
from urbanagenda.reporting.uploads import (
    DOCX_MEDIA_TYPE,
    PDF_MEDIA_TYPE,
    UploadRejected,
    check_upload,
    safe_filename,
)

SPECIMENS = Path(__file__).parents[1] / "specimens" / "reporting"


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return (SPECIMENS / "vlr_example.pdf").read_bytes()


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return (SPECIMENS / "vlr_example.docx").read_bytes()


def make_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rezip(data: bytes, *, add: dict[str, bytes] | None = None, drop: set[str] = frozenset(),
          level: int = 6) -> bytes:  # fmt: skip
    """A copy of a ZIP with members added or dropped."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename not in drop:
                dst.writestr(info, src.read(info.filename))
        for name, body in (add or {}).items():
            dst.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


def pdf_with_stream(stream: bytes, filters: str = "/Filter /FlateDecode") -> bytes:
    """A minimal valid one-page PDF whose page content is ``stream`` (already encoded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d %s >>\nstream\n" % (len(stream), filters.encode())
        + stream
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def zeros_deflated(n_bytes: int) -> bytes:
    """zlib of ``n_bytes`` zeros, made in 1 MiB steps (fast, little memory)."""
    compressor = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(n_bytes // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


# -- what passes -----------------------------------------------------------------------------


def test_a_real_pdf_passes_with_its_hash(pdf_bytes: bytes) -> None:
    checked = check_upload("VLR Example City.pdf", pdf_bytes)
    assert checked.media_type == PDF_MEDIA_TYPE
    assert checked.filename == "VLR Example City.pdf"
    assert checked.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert checked.data == pdf_bytes
    assert "data" not in repr(checked).split("sha256")[0].replace("media_type", "")


def test_a_real_docx_passes(docx_bytes: bytes) -> None:
    checked = check_upload("review.docx", docx_bytes)
    assert checked.media_type == DOCX_MEDIA_TYPE
    assert checked.filename == "review.docx"


def test_the_type_comes_from_the_bytes_and_the_name_is_corrected(
    pdf_bytes: bytes, docx_bytes: bytes
) -> None:
    assert check_upload("report.docx", pdf_bytes).filename == "report.docx.pdf"
    assert check_upload("report.pdf", docx_bytes).media_type == DOCX_MEDIA_TYPE
    assert check_upload("report", pdf_bytes).filename == "report.pdf"


def test_an_owner_password_only_pdf_is_read(pdf_bytes: bytes) -> None:
    """Many published PDFs are 'encrypted' with an empty user password: readable."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert check_upload("protected.pdf", out.getvalue()).media_type == PDF_MEDIA_TYPE


# -- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("C:\\Users\\ana\\Desktop\\VLR 2024.pdf", "VLR 2024.pdf"),
        ("/home/ana/vlr.pdf", "vlr.pdf"),
        ("reports/2024/vlr.pdf", "vlr.pdf"),
        ("城市自愿地方审查报告.pdf", "城市自愿地方审查报告.pdf"),
        ("تقرير المدينة.pdf", "تقرير المدينة.pdf"),
        ("evil.exe\x00.pdf", "evil.exe.pdf"),
        ("bell\x07\r\n.pdf", "bell.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        (".hidden.pdf", "hidden.pdf"),
        ("v2..final.pdf", "v2..final.pdf"),
        ("", "document"),
    ],
)
def test_file_names_are_cleaned(name: str, cleaned: str) -> None:
    assert safe_filename(name) == cleaned


def test_long_names_keep_their_extension() -> None:
    name = "城" * 300 + ".pdf"
    cleaned = safe_filename(name)
    assert len(cleaned) == 200
    assert cleaned.endswith("城.pdf")


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\x.docx", "a/../../b.pdf", "..", "x/..\x00/y.pdf"]
)
def test_path_traversal_names_are_rejected(name: str, pdf_bytes: bytes) -> None:
    with pytest.raises(UploadRejected) as info:
        check_upload(name, pdf_bytes)
    message = str(info.value)
    assert "climbs out of its folder" in message
    assert "rename the file" in message
    assert info.value.too_large is False


def test_a_traversal_name_is_reported_with_the_plain_name_to_use(pdf_bytes: bytes) -> None:
    with pytest.raises(UploadRejected, match=r"such as 'passwd\.pdf'"):
        check_upload("../../etc/passwd.pdf", pdf_bytes)


# -- size ------------------------------------------------------------------------------------


def test_empty_files_are_rejected() -> None:
    with pytest.raises(UploadRejected, match=r"'empty\.pdf': the file is empty") as info:
        check_upload("empty.pdf", b"")
    assert info.value.too_large is False


def test_too_large_files_are_413(pdf_bytes: bytes) -> None:
    with pytest.raises(UploadRejected) as info:
        check_upload("big.pdf", pdf_bytes, max_bytes=len(pdf_bytes) - 1)
    assert info.value.too_large is True
    assert f"{len(pdf_bytes):,} bytes" in str(info.value)
    assert info.value.where == "big.pdf"


def test_the_default_limit_is_25_mb() -> None:
    data = b"%PDF-1.7\n" + bytes(uploads.MAX_UPLOAD_BYTES)
    with pytest.raises(UploadRejected, match="25 MB") as info:
        check_upload("huge.pdf", data)
    assert info.value.too_large is True


# -- other formats, renamed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(100), "Windows program"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "Linux program"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script>", "HTML page"),
        (b"\xef\xbb\xbf  <html><p>hi", "HTML page"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Microsoft Office file"),
        (b"{\\rtf1\\ansi hello}", "Rich Text Format"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"Just some words in a text file.\n", "plain text file"),
        (bytes(range(256)) * 4, "binary file of unknown type"),
    ],
)
def test_other_formats_renamed_pdf_are_rejected(data: bytes, found: str) -> None:
    with pytest.raises(UploadRejected) as info:
        check_upload("report.pdf", data)
    message = str(info.value)
    assert found in message
    assert "judged by its content, not its name" in message
    assert "PDF file or a Word document saved as .docx" in message
    assert message.startswith("'report.pdf': ")


def test_a_plain_zip_is_not_a_docx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(UploadRejected, match=r"is a ZIP archive, not a Word document"):
        check_upload("report.docx", out.getvalue())


def test_an_xlsx_is_named_as_such() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UploadRejected, match=r"an Excel workbook \(XLSX\)"):
        check_upload("report.docx", out.getvalue())


def test_a_docm_with_macros_is_rejected(docx_bytes: bytes) -> None:
    docm = rezip(docx_bytes, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    with pytest.raises(UploadRejected, match=r"macros \(DOCM: word/vbaProject\.bin\)"):
        check_upload("report.docx", docm)


def test_a_macro_enabled_content_type_is_rejected(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    docm = rezip(docx_bytes, drop={"[Content_Types].xml"}, add={"[Content_Types].xml": types})
    with pytest.raises(UploadRejected, match="macro-enabled"):
        check_upload("report.docx", docm)


def test_a_damaged_pdf_is_rejected() -> None:
    with pytest.raises(UploadRejected, match="starts like a PDF but cannot be read"):
        check_upload("broken.pdf", b"%PDF-1.7\n" + b"garbage " * 50)


def test_a_password_locked_pdf_is_rejected(pdf_bytes: bytes) -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(UploadRejected, match="locked with a password"):
        check_upload("locked.pdf", out.getvalue())


def test_a_pdf_with_too_many_pages_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(4):
        writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    monkeypatch.setattr(uploads, "MAX_PDF_PAGES", 3)
    with pytest.raises(UploadRejected, match="4 pages, more than the limit of 3"):
        check_upload("long.pdf", out.getvalue())


# -- ZIP bombs and zip-slip ------------------------------------------------------------------


def test_a_zip_bomb_member_is_rejected_by_its_ratio(docx_bytes: bytes) -> None:
    bomb = rezip(docx_bytes, add={"word/media/image1.png": bytes(50 * 1024 * 1024)}, level=9)
    assert len(bomb) < 200_000  # 50 MB of zeros compress about 1000 times
    with pytest.raises(UploadRejected, match=r"would expand [\d,]+ times .* as a ZIP bomb does"):
        check_upload("bomb.docx", bomb)


def test_the_total_declared_size_is_limited(
    docx_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "ZIP_MAX_TOTAL_BYTES", 20_000)
    with pytest.raises(UploadRejected, match=r"would expand to [\d,]+ bytes, more than the limit"):
        check_upload("big.docx", docx_bytes)


def test_too_many_members_are_rejected(docx_bytes: bytes) -> None:
    many = rezip(docx_bytes, add={f"extra/part{i}.xml": b"<a/>" for i in range(10_001)})
    with pytest.raises(UploadRejected, match=r"10,0\d\d members, more than the limit of 10,000"):
        check_upload("many.docx", many)


def test_two_members_with_one_name_are_rejected(docx_bytes: bytes) -> None:
    """zipfile reads the last of two same-named members, another program the first."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twice = rezip(docx_bytes, add={"word/document.xml": b"<w:document/>"})
    with pytest.raises(UploadRejected, match=r"two members named 'word/document\.xml'"):
        check_upload("twice.docx", twice)


def _lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """Patch the uncompressed size of ``member`` in both its local header and the central
    directory (the CRC is left alone: the lie must be caught before the checksum)."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", buf, info.header_offset + 22, declared)
    position = buf.find(b"PK\x01\x02")
    while position != -1:
        name_len = struct.unpack_from("<H", buf, position + 28)[0]
        if bytes(buf[position + 46 : position + 46 + name_len]) == member.encode():
            struct.pack_into("<I", buf, position + 24, declared)
            return bytes(buf)
        position = buf.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{member} not in the central directory")


def test_a_member_that_lies_about_its_size_is_caught_while_inflating(docx_bytes: bytes) -> None:
    """The header says 1,000 bytes; the member inflates to 5 MB.  The ratio looks harmless
    (1,000 : about 5 kB), so only reading with a budget can catch it."""
    honest = rezip(docx_bytes, add={"word/media/filler.bin": bytes(5 * 1024 * 1024)}, level=9)
    liar = _lie_about_size(honest, "word/media/filler.bin", 1_000)
    started = time.monotonic()
    with pytest.raises(UploadRejected) as info:
        check_upload("liar.docx", liar)
    assert "declares 1,000 bytes but inflates to more (stopped reading)" in str(info.value)
    assert time.monotonic() - started < 5


def test_a_member_shorter_than_declared_is_damaged(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        real = archive.getinfo("word/document.xml").file_size
    liar = _lie_about_size(docx_bytes, "word/document.xml", real + 10)
    with pytest.raises(UploadRejected, match=r"'word/document\.xml' is damaged"):
        check_upload("short.docx", liar)


@pytest.mark.parametrize(
    "name", ["../../evil.sh", "/etc/cron.d/evil", "word\\..\\..\\evil.dll", "C:/evil.exe",
             "word/../../evil.xml"],
)  # fmt: skip
def test_zip_slip_member_names_are_rejected(name: str, docx_bytes: bytes) -> None:
    slip = rezip(docx_bytes, add={name: b"payload"})
    with pytest.raises(UploadRejected, match="points outside the archive"):
        check_upload("slip.docx", slip)


def test_a_zip_inside_the_docx_is_rejected_by_name(docx_bytes: bytes) -> None:
    nested = rezip(docx_bytes, add={"word/embeddings/sheet.xlsx": b"PK\x03\x04 inner"})
    with pytest.raises(UploadRejected, match="holds another archive"):
        check_upload("nested.docx", nested)


def test_a_zip_inside_the_docx_is_rejected_by_content(docx_bytes: bytes) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.txt", "x")
    nested = rezip(docx_bytes, add={"word/media/image9.png": inner.getvalue()})
    with pytest.raises(UploadRejected, match=r"holds another archive \('word/media/image9\.png'"):
        check_upload("nested.docx", nested)


def test_a_truncated_docx_is_rejected(docx_bytes: bytes) -> None:
    with pytest.raises(UploadRejected, match="damaged"):
        check_upload("cut.docx", docx_bytes[: len(docx_bytes) // 2])


# -- PDF bombs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_bomb() -> bytes:
    """A small valid PDF whose page content is zlib of 200 MB of zeros."""
    return pdf_with_stream(zeros_deflated(200 * 1024 * 1024))


def test_a_flate_bomb_pdf_is_rejected_quickly(pdf_bomb: bytes) -> None:
    assert len(pdf_bomb) < 300_000
    started = time.monotonic()
    with pytest.raises(UploadRejected) as info:
        check_upload("bomb.pdf", pdf_bomb)
    assert "decompresses beyond the limit" in str(info.value)
    assert "decompression bomb" in str(info.value)
    assert time.monotonic() - started < 10


def test_many_moderate_streams_are_limited_in_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "PDF_MAX_CONTENT_BYTES", 1_000_000)
    data = pdf_with_stream(zeros_deflated(2 * 1024 * 1024))
    with pytest.raises(UploadRejected, match=r"page contents decompress to more than 1,000,000"):
        check_upload("dense.pdf", data)


def test_a_small_hand_made_pdf_passes() -> None:
    content = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    assert check_upload("hand.pdf", pdf_with_stream(content)).media_type == PDF_MEDIA_TYPE


def test_the_message_has_what_where_and_how() -> None:
    with pytest.raises(UploadRejected) as info:
        check_upload("../notes/plan.pdf", b"MZ")
    error = info.value
    assert error.where == "../notes/plan.pdf"  # the traversal is what is reported first
    with pytest.raises(UploadRejected) as info:
        check_upload("notes/plan.pdf", b"MZ")
    error = info.value
    assert error.where == "plan.pdf"
    assert error.problem.startswith("the file is a Windows program")
    assert error.fix is not None and "save or export it" in error.fix
