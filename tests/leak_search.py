"""Where a secret could leak, as text to search: ledger rows, files (e-mails decoded), and what Prefect stored
(flow runs with their names and parameters, task runs, artifacts, logs). Every search is tallied."""

import json
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.figures import tally

LEDGER_QUERIES = {
    "notice": "SELECT key, subject, recipients, body_text, body_html, last_error FROM notice",
    "document": "SELECT key, title, path FROM document",
    "auditevent": "SELECT entity, event, actor, detail FROM auditevent",
}


def ledger_texts(url: str) -> dict[str, str]:
    engine = create_engine(url)
    texts = {}
    with engine.connect() as conn:
        for table, sql in LEDGER_QUERIES.items():
            for n, row in enumerate(conn.execute(text(sql))):
                texts[f"{table}[{n}]"] = " ".join(str(v) for v in row)
    engine.dispose()
    return texts


def folder_texts(folder: Path) -> dict[str, str]:
    """Every file under `folder` as text; e-mails (Maildir) with every part decoded."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []:
        raw = path.read_bytes()
        texts[str(path)] = _mail_text(raw) if "outbox" in path.parts else _pdf_text(raw) if path.suffix == ".pdf" \
            else raw.decode("utf-8", "replace")
    return texts


def _pdf_text(raw: bytes) -> str:
    """A PDF's text as a reader extracts it (its streams are compressed), also with the line breaks taken out."""
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(raw)).pages)
    return text + "\n" + "".join(text.split())


def _mail_text(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            content = part.get_content()
            parts.append(content if isinstance(content, str) else _pdf_text(content)
                         if part.get_content_type() == "application/pdf" else content.decode("utf-8", "replace"))
            parts.append(part.get_filename() or "")
    return "\n".join(parts)


def prefect_texts(api_url: str, since: datetime) -> dict[str, str]:
    """Flow runs (name, parameters, tags), their task runs, artifacts and logs created since `since`."""
    with httpx.Client(base_url=api_url, timeout=60) as client:
        after = {"after_": since.isoformat()}
        runs = _all(client, "/flow_runs/filter", {"flow_runs": {"start_time": after}})
        ids = [run["id"] for run in runs]
        texts = {f"flow_run {run['name']}": json.dumps(run, ensure_ascii=False) for run in runs}
        if not ids:
            return texts
        for what, path, body in (
                ("task_run", "/task_runs/filter", {"flow_runs": {"id": {"any_": ids}}}),
                ("artifact", "/artifacts/filter", {"flow_runs": {"id": {"any_": ids}}}),
                ("log", "/logs/filter", {"logs": {"flow_run_id": {"any_": ids}}})):
            for n, item in enumerate(_all(client, path, body)):
                texts[f"{what}[{n}]"] = json.dumps(item, ensure_ascii=False)
    return texts


def _all(client: httpx.Client, path: str, body: dict) -> list[dict]:
    items, offset = [], 0
    while True:
        page = client.post(path, json={**body, "limit": 200, "offset": offset})
        page.raise_for_status()
        items.extend(page.json())
        if len(page.json()) < 200:
            return items
        offset += 200


def find(texts: dict[str, str], secrets: list[str], kind: str) -> list[tuple[str, str]]:
    """(source, secret) for every secret found; tallies how many places were searched for how many secrets."""
    tally(f"leaks.searched.{kind}", len(texts) * len(secrets))
    return [(source, secret) for source, body in texts.items() for secret in secrets if secret in body]
