"""Serve: ingest through the web server. `POST /api/v1/ingest` (files and URLs, multipart) starts
a job and answers 202 with it; `GET /api/v1/jobs/{id}` tells its progress. The `/ingest` page
does the same with a form, and its job page refreshes itself until the job ends (no script
needed). Writes need the `api_token` setting's token, or come from this machine when it is unset.
"""

from __future__ import annotations

import hmac
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from storyline.config import Settings
from storyline.errors import ForbiddenError, IngestError
from storyline.serve.jobs import Job, JobRunner
from storyline.serve.schemas import ErrorOut

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Nothing to ingest, or an upload over the limit"},
    403: {"model": ErrorOut, "description": "The API token is missing or wrong"},
}
LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
CHUNK = 1 << 20
_UNSAFE = re.compile(r"[^\w.\-]+")


def check_writer(request: Request, settings: Settings, form_token: str | None = None) -> None:
    """Allow a write: with the configured token, or from this machine when none is set."""
    expected = settings.api_token.get_secret_value() if settings.api_token else None
    if expected is None:
        client = request.client.host if request.client else ""
        if client not in LOOPBACK:
            raise ForbiddenError(
                "writes from other machines need a token: set STORYLINE_API_TOKEN on the "
                "server and send 'Authorization: Bearer TOKEN'"
            )
        return
    header = request.headers.get("authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else form_token
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ForbiddenError(
            "this server requires its API token for writes: send 'Authorization: Bearer TOKEN' "
            "(or fill the form's token field)"
        )


async def save_uploads(files: list[UploadFile], limit: int) -> Path | None:
    """Write the uploads into a new folder, keeping their names (their suffix says how to read
    them); refuse them all when together they are over ``limit`` bytes."""
    files = [f for f in files if f.filename]
    if not files:
        return None
    folder = Path(tempfile.mkdtemp(prefix="storyline-upload-"))
    total = 0
    for n, upload in enumerate(files):
        name = _UNSAFE.sub("_", Path(upload.filename or "upload").name).strip("._") or "upload"
        with (folder / f"{n:03d}-{name}").open("wb") as out:
            while chunk := await upload.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    shutil.rmtree(folder, ignore_errors=True)
                    raise IngestError(
                        f"the upload is over {limit:,} bytes; send fewer or smaller files, or "
                        "raise STORYLINE_UPLOAD_MAX_BYTES"
                    )
                out.write(chunk)
    return folder


def _sources(folder: Path | None, urls: str) -> list[str]:
    sources = [str(folder)] if folder is not None else []
    sources += [line.strip() for line in urls.splitlines() if line.strip()]
    return sources


def add_ingest_routes(
    app: FastAPI,
    settings: Settings,
    runner: Callable[[Request], JobRunner],
    templates: Jinja2Templates,
) -> None:
    """Register the ingest endpoints and pages on ``app``."""

    async def start(request: Request, files: list[UploadFile], urls: str, token: str | None) -> Job:
        check_writer(request, settings, token)
        if not any(f.filename for f in files) and not urls.strip():
            raise IngestError("nothing to ingest: choose files or give URLs (one per line)")
        folder = await save_uploads(files, settings.upload_max_bytes)
        return runner(request).submit(_sources(folder, urls), folder)

    @app.post("/api/v1/ingest", status_code=202, tags=["ingest"], responses=WRITE_ERRORS)
    async def ingest(
        request: Request,
        files: Annotated[list[UploadFile], File(description="Article files, JSONL, WARC ...")] = [],  # noqa: B006
        urls: Annotated[str, Form(description="URLs or feed URLs, one per line")] = "",
    ) -> JSONResponse:
        """Start ingesting uploaded files and URLs (then analysis and story placement); poll
        the job at the Location given. Needs the API token when the server has one."""
        job = await start(request, files, urls, None)
        return JSONResponse(
            job.as_dict(), status_code=202, headers={"Location": f"/api/v1/jobs/{job.id}"}
        )

    @app.get("/api/v1/jobs/{job_id}", tags=["ingest"])
    def get_job(request: Request, job_id: str) -> dict[str, Any]:
        """An ingest job: queued, running (stage and items handled) or finished, with what it
        stored and every item that failed."""
        return runner(request).get(job_id).as_dict()

    @app.get("/ingest", response_class=HTMLResponse, include_in_schema=False)
    def ingest_page(request: Request) -> HTMLResponse:
        jobs = sorted(runner(request).jobs.values(), key=lambda j: j.created, reverse=True)
        context = {
            "jobs": [j.as_dict() for j in jobs[:20]],
            "needs_token": bool(settings.api_token),
        }
        return templates.TemplateResponse(request, "ingest.html", context)

    @app.post("/ingest", include_in_schema=False)
    async def ingest_form(
        request: Request,
        files: Annotated[list[UploadFile], File()] = [],  # noqa: B006
        urls: Annotated[str, Form()] = "",
        token: Annotated[str | None, Form()] = None,
    ) -> RedirectResponse:
        job = await start(request, files, urls, token)
        return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)

    @app.get("/ingest/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = runner(request).get(job_id).as_dict()
        return templates.TemplateResponse(request, "job.html", {"job": job})
