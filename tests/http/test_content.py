"""File content through the API: real documents of every declared type, their size and MD5 the bytes served.

Each generated .docx, .xlsx, .pptx and .pdf parses with its library (python-docx, openpyxl,
python-pptx, pypdf) and holds its name's words; a sniffer reads the type the record states
(Google-native documents: their Office export); the same seed gives the same bytes, in this
process or another.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
import sys

import docx
import filetype
import openpyxl
import pptx
import pypdf
import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st
from PIL import Image
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
EXPORTS = {
    "application/vnd.google-apps.document": DOCX,
    "application/vnd.google-apps.spreadsheet": XLSX,
    "application/vnd.google-apps.presentation": PPTX,
}
FOLDER = "application/vnd.google-apps.folder"
SNIFFED = {DOCX, XLSX, PPTX, "application/pdf", "image/png", "image/jpeg"}


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in book.active.iter_rows(values_only=True))


def pptx_text(data: bytes) -> str:
    deck = pptx.Presentation(io.BytesIO(data))
    return "\n".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data), strict=True).pages)


def text_of(mime: str, data: bytes) -> str:
    """The words a RAG pipeline would index, read back with the format's own library or parser."""
    served = EXPORTS.get(mime, mime)
    if served in READERS:
        return READERS[served](data)
    if served in ("image/png", "image/jpeg"):
        image = Image.open(io.BytesIO(data))
        image.load()
        return image.info.get("Title") or image.info.get("comment", b"").decode()
    text = data.decode("utf-8")
    if served == "application/json":
        return json.dumps(json.loads(text))
    if served == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["item", "contact", "city", "amount", "notes"]
        return "\n".join(" ".join(row) for row in rows)
    if served == "text/html":
        assert text.startswith("<!DOCTYPE html>") and "<h1>" in text
    if served == "text/markdown":
        assert text.startswith("# ")
    return text


READERS = {DOCX: docx_text, XLSX: xlsx_text, PPTX: pptx_text, "application/pdf": pdf_text}


def name_words(record: dict) -> list[str]:
    stem = record["name"].rsplit(".", 1)[0] if "." in record["name"] else record["name"]
    return [w.lower() for w in re.split(r"[-_ ]+", stem) if w]


def synced(client: TestClient, headers: dict[str, str]) -> tuple[str, list[dict]]:
    sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers)
    assert sync.status_code == 200, sync.text
    advance(client, 10)
    records = client.get(f"/api/syncs/{sync.json()['id']}/records", params={"pageSize": 1000}, headers=headers)
    return sync.json()["id"], records.json()["data"]


def download(client: TestClient, headers: dict[str, str], sync: str, record: dict):
    return client.get(f"/api/syncs/{sync}/records/{record['id']}/content", headers=headers)


@pytest.fixture(scope="module")
def account():
    """A synced 300-item Google Drive account and every file's download: (records, {record id: response})."""
    from paragon_emulator.tokens import mint

    settings = make_settings(account_size=300)
    headers = {"Authorization": f"Bearer {mint(settings, 'alice', None)[0]}"}
    with TestClient(create_app(settings)) as client:
        sync, records = synced(client, headers)
        downloads = {r["id"]: download(client, headers, sync, r) for r in records}
        yield records, downloads


def test_every_file_is_its_stated_size_and_md5_and_folders_are_a_clear_400(account):
    records, downloads = account
    for record in records:
        response = downloads[record["id"]]
        if record["mimeType"] == FOLDER:
            assert response.status_code == 400 and response.json()["code"] == "NO_CONTENT", record
            continue
        assert response.status_code == 200, record
        assert len(response.content) == record["size"] == int(response.headers["content-length"]), record
        assert hashlib.md5(response.content).hexdigest() == record["hash"]["value"], record
        assert response.headers["content-type"].split(";")[0] == EXPORTS.get(record["mimeType"], record["mimeType"])


def test_generated_accounts_mix_office_documents_pdfs_text_and_images(account):
    records, _ = account
    kinds = {r["mimeType"] for r in records}
    assert {DOCX, XLSX, PPTX, "application/pdf", "image/png", "image/jpeg"} <= kinds
    assert {"text/plain", "text/markdown", "text/csv", "application/json", "text/html"} <= kinds
    assert set(EXPORTS) <= kinds, "Google Drive accounts hold Google-native documents too"
    assert all(r["name"].endswith("." + {DOCX: "docx", XLSX: "xlsx", PPTX: "pptx"}[r["mimeType"]])
               for r in records if r["mimeType"] in (DOCX, XLSX, PPTX))


def test_a_sniffer_reads_the_type_the_record_states(account):
    records, downloads = account
    for record in records:
        served = EXPORTS.get(record["mimeType"], record["mimeType"])
        if served in SNIFFED:
            assert filetype.guess_mime(downloads[record["id"]].content) == served, record


def test_documents_parse_with_their_library_and_hold_their_names_words(account):
    records, downloads = account
    parsed = set()
    for record in records:
        if record["mimeType"] == FOLDER:
            continue
        text = text_of(record["mimeType"], downloads[record["id"]].content).lower()
        for word in name_words(record):
            assert word in text, (record["name"], text[:200])
        parsed.add(EXPORTS.get(record["mimeType"], record["mimeType"]))
    assert {DOCX, XLSX, PPTX, "application/pdf"} <= parsed


def test_documents_hold_the_seeds_sentences(account):
    """A search for a word of the seed's vocabulary finds the documents that hold it: the body is
    made of the same sentences, whichever format carries them."""
    records, downloads = account
    bodies = {
        r["id"]: text_of(r["mimeType"], downloads[r["id"]].content)
        for r in records if EXPORTS.get(r["mimeType"], r["mimeType"]) in READERS
    }
    for rid, body in bodies.items():
        words = re.findall(r"[A-Za-z]+", body)
        assert len(words) >= 10, body[:200]
    # The same sentence turns up across formats: the vocabulary is shared.
    sentences = [set(re.findall(r"[A-Z][a-z ]+\.", " ".join(b.split()))) for b in bodies.values()]
    assert any(a & b for n, a in enumerate(sentences) for b in sentences[n + 1 :])


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes():
    from paragon_emulator.tokens import mint

    digests = []
    for seed in (7, 7, 8):
        settings = make_settings(account_size=60, seed=seed)
        headers = {"Authorization": f"Bearer {mint(settings, 'alice', None)[0]}"}
        with TestClient(create_app(settings)) as client:
            sync, records = synced(client, headers)
            digests.append(
                {r["externalId"]: hashlib.md5(download(client, headers, sync, r).content).hexdigest()
                 for r in records if r["mimeType"] != FOLDER}
            )
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_another_process_makes_the_same_bytes(account):
    """Office files embed dates and zip entry times; all are the item's or fixed, so a fresh
    process (another hash seed, another clock) serves the same bytes."""
    records, downloads = account
    wanted = {
        r["externalId"]: r["hash"]["value"]
        for r in records if EXPORTS.get(r["mimeType"], r["mimeType"]) in SNIFFED
    }
    script = """
import hashlib, json, sys
from starlette.testclient import TestClient
from paragon_emulator import create_app
from paragon_emulator.tokens import mint
from tests.conftest import make_settings
settings = make_settings(account_size=300)
headers = {"Authorization": "Bearer " + mint(settings, "alice", None)[0]}
with TestClient(create_app(settings)) as client:
    sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()["id"]
    client.post("/_emulator/clock/advance", json={"seconds": 10})
    records = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
    wanted = set(json.load(sys.stdin))
    print(json.dumps({
        r["externalId"]: hashlib.md5(client.get(f"/api/syncs/{sync}/records/{r['id']}/content", headers=headers).content).hexdigest()
        for r in records if r["externalId"] in wanted
    }))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(list(wanted)), capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "PYTHONHASHSEED": "12345"}, check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == wanted


# -- items made through the control plane ------------------------------------------------------

def make_item(client: TestClient, **fields):
    return client.post(f"{UPSTREAM}/items", json={"fields": fields})


@pytest.fixture
def small():
    from paragon_emulator.tokens import mint

    settings = make_settings(account_size=0)
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {mint(settings, 'alice', None)[0]}"}


def test_office_items_made_with_text_hold_that_text(small):
    client, headers = small
    made = {
        DOCX: make_item(client, name="quarterly-report.docx", mimeType=DOCX, content="Revenue grew 12% in Q3.\nCosts & risks <low>."),
        XLSX: make_item(client, name="budget.xlsx", mimeType=XLSX, content="Region\tRevenue\nNorth\t1200\nSouth\t900"),
        PPTX: make_item(client, name="kickoff.pptx", mimeType=PPTX, content="Goals for the launch\nShip by March"),
        "application/pdf": make_item(client, name="policy.pdf", mimeType="application/pdf", content="Expenses (travel) need approval."),
        "application/vnd.google-apps.document": make_item(
            client, name="Team notes", mimeType="application/vnd.google-apps.document", content="Decided: weekly sync"
        ),
        "text/plain": make_item(client, name="plan.txt", content="exactly this text\n"),
    }
    assert all(r.status_code == 200 for r in made.values()), {k: r.text for k, r in made.items()}
    sync, records = synced(client, headers)
    by_name = {r["name"]: r for r in records}
    expect = {
        "quarterly-report.docx": ["quarterly report", "Revenue grew 12% in Q3.", "Costs & risks <low>."],
        "budget.xlsx": ["budget", "Region Revenue", "North 1200", "South 900"],
        "kickoff.pptx": ["kickoff", "Goals for the launch", "Ship by March"],
        "policy.pdf": ["policy", "Expenses (travel) need approval."],
        "Team notes": ["Team notes", "Decided: weekly sync"],
    }
    for name, phrases in expect.items():
        record = by_name[name]
        data = download(client, headers, sync, record).content
        assert len(data) == record["size"] and filetype.guess_mime(data) == EXPORTS.get(record["mimeType"], record["mimeType"])
        text = text_of(record["mimeType"], data)
        for phrase in phrases:
            assert phrase in text, (name, phrase, text)
    plain = by_name["plan.txt"]
    assert download(client, headers, sync, plain).content == b"exactly this text\n" and plain["size"] == 18


def test_a_changed_text_is_served_once_synced_and_the_synced_version_until_then(small):
    client, headers = small
    item = make_item(client, name="memo.docx", mimeType=DOCX, content="first draft").json()
    sync, records = synced(client, headers)
    record = records[0]
    changed = client.patch(f"{UPSTREAM}/items/{item['externalId']}", json={"fields": {"content": "final text"}})
    assert changed.status_code == 200, changed.text
    assert "first draft" in docx_text(download(client, headers, sync, record).content)  # not synced yet
    advance(client, 120)
    now = client.get(f"/api/syncs/{sync}/records/{record['id']}", headers=headers).json()["data"]
    data = download(client, headers, sync, now).content
    assert "final text" in docx_text(data) and "first draft" not in docx_text(data)
    assert len(data) == now["size"] and hashlib.md5(data).hexdigest() == now["hash"]["value"] != record["hash"]["value"]


def test_a_record_first_read_after_a_later_change_still_carries_the_synced_bytes_size_and_md5(small):
    """A synced file's size and MD5 are made when the record is first read: of the version synced,
    not of what upstream holds by then."""
    client, headers = small
    item = make_item(client, name="memo.docx", mimeType=DOCX, content="first draft").json()
    sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()["id"]
    advance(client, 10)  # synced, and no record read yet
    changed = client.patch(f"{UPSTREAM}/items/{item['externalId']}", json={"fields": {"content": "a much longer final text " * 40}})
    assert changed.status_code == 200, changed.text
    record = client.get(f"/api/syncs/{sync}/records", headers=headers).json()["data"][0]
    data = download(client, headers, sync, record).content
    assert "first draft" in docx_text(data)
    assert len(data) == record["size"] and hashlib.md5(data).hexdigest() == record["hash"]["value"]
    advance(client, 120)
    now = client.get(f"/api/syncs/{sync}/records/{record['id']}", headers=headers).json()["data"]
    assert now["size"] > record["size"] and now["hash"]["value"] != record["hash"]["value"]


@pytest.mark.parametrize(
    "fields, path",
    [
        ({"name": "a.png", "mimeType": "image/png", "content": "words"}, "$.fields.content"),
        ({"name": "Team", "mimeType": FOLDER, "content": "words"}, "$.fields.content"),
        ({"name": "a.json", "mimeType": "application/json", "content": "{not json"}, "$.fields.content"),
        ({"name": "a.txt", "content": 42}, "$.fields.content"),
        ({"name": "a.txt", "content": "four", "size": 5}, "$.fields.size"),
        ({"name": "a.txt", "size": "big"}, "$.fields.size"),
        ({"name": "a.txt", "size": -1}, "$.fields.size"),
        ({"name": "a.txt", "mimeType": "word"}, "$.fields.mimeType"),
        ({"name": "", "mimeType": DOCX}, "$.fields.name"),
        ({"name": "a.txt", "mimeType": 5}, "$.fields.mimeType"),
        ({"name": 5}, "$.fields.name"),
        ({"name": "a.docx", "mimeType": DOCX, "content": "x\n" * 1000}, "$.fields.content"),
    ],
)
def test_content_that_does_not_suit_the_item_is_a_clear_400(small, fields, path):
    client, _ = small
    response = make_item(client, **fields)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["path"] == path


def test_the_size_of_a_text_item_with_its_own_text_follows_the_text(small):
    client, _ = small
    item = make_item(client, name="a.txt", content="héllo").json()
    assert item["size"] == 6
    refused = client.patch(f"{UPSTREAM}/items/{item['externalId']}", json={"fields": {"size": 100}})
    assert refused.status_code == 400 and refused.json()["errors"][0]["path"] == "$.fields.size"
    grown = client.patch(f"{UPSTREAM}/items/{item['externalId']}", json={"fields": {"content": "hello, world"}})
    assert grown.status_code == 200 and grown.json()["size"] == 12


# Text for documents: anything a client might send, but no surrogates (not UTF-8), no characters
# XML cannot hold (the emulator drops those, as it says) and no line separators (a line is a paragraph).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Zl", "Zp")), max_size=60)
LINES = st.lists(TEXT.filter(lambda s: s.strip()), min_size=1, max_size=6)


def body_lines(mime: str, data: bytes) -> list[str]:
    """The lines of an item's own text as the document holds them, below its title."""
    if mime == DOCX:
        return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs[1:] if p.text]
    if mime == XLSX:
        rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[1:]
        return [" ".join(str(v) for v in row if v not in (None, "")) for row in rows if any(v not in (None, "") for v in row)]
    deck = pptx.Presentation(io.BytesIO(data))
    return [p.text for slide in list(deck.slides)[1:] for p in slide.placeholders[1].text_frame.paragraphs if p.text]


def same_words(lines: list[str]) -> list[str]:
    return [" ".join(line.split()) for line in lines]


@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=LINES, sheets=LINES, slides=LINES)
def test_any_text_goes_into_office_documents_and_reads_back_the_same(auth, docs, sheets, slides):
    texts = {"a.docx": (DOCX, docs), "b.xlsx": (XLSX, sheets), "c.pptx": (PPTX, slides)}
    with TestClient(create_app(make_settings(account_size=0))) as client:
        for name, (mime, lines) in texts.items():
            assert make_item(client, name=name, mimeType=mime, content="\n".join(lines)).status_code == 200
        sync, records = synced(client, auth())
        for record in records:
            mime, lines = texts[record["name"]]
            data = download(client, auth(), sync, record).content
            assert len(data) == record["size"] and hashlib.md5(data).hexdigest() == record["hash"]["value"]
            assert same_words(body_lines(mime, data)) == same_words(lines), record["name"]


@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.text("abcdefghij()\\éü€0123456789", min_size=1, max_size=120), min_size=1, max_size=300))
@example(words=["\\" * 80])  # escaping doubles a line past its slot: once cut between "\\" and ")"
@example(words=["a" * 79 + "("])
def test_any_latin_text_goes_into_a_pdf_and_reads_back_the_same(auth, words):
    with TestClient(create_app(make_settings(account_size=0))) as client:
        assert make_item(client, name="x.pdf", mimeType="application/pdf", content=" ".join(words)).status_code == 200
        sync, records = synced(client, auth())
        data = download(client, auth(), sync, records[0]).content
        assert len(data) == records[0]["size"]
        # Lines are wrapped (long words cut), so compare the characters, not the spacing.
        assert "".join(pdf_text(data).split())[1:] == "".join(words)  # after the title, 'x'


def test_a_size_asked_for_a_built_file_sets_roughly_how_much_it_holds(small):
    """A .docx or .pdf's size follows from its text; a size given sets how much text (bounded)."""
    client, headers = small
    for name, mime in (("small.docx", DOCX), ("huge.docx", DOCX), ("huge.pdf", "application/pdf")):
        size = 1000 if name.startswith("small") else 50_000_000
        assert make_item(client, name=name, mimeType=mime, size=size).status_code == 200
    sync, records = synced(client, headers)
    by_name = {r["name"]: r for r in records}
    for record in records:
        data = download(client, headers, sync, record).content
        assert len(data) == record["size"] and hashlib.md5(data).hexdigest() == record["hash"]["value"]
        assert record["size"] < 1_000_000
    assert by_name["small.docx"]["size"] < by_name["huge.docx"]["size"]
    assert len(pdf_text(download(client, headers, sync, by_name["huge.pdf"]).content)) > 20_000
