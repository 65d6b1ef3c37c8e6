"""An evidence file served back (to its unit, or to the office): as an attachment under its cleaned name,
with the type its content was checked to be, sandboxed; a file missing or changed on disk is not served."""

from fastapi import Request
from fastapi.responses import FileResponse, Response

from models import Evidence
from portal.guard import DOCUMENT_CSP
from portal.rendering import not_found
from tasks.cycle.evidence import evidence_file


def evidence_response(request: Request, row: Evidence) -> Response:
    path = evidence_file(row)
    if path is None:
        return not_found(request)
    return FileResponse(path, media_type=row.media_type, filename=row.name, content_disposition_type="attachment",
                        headers={"Content-Security-Policy": DOCUMENT_CSP})
