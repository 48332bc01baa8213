"""Serve: ingest through the web server. `POST /api/v1/ingest` (files and URLs, multipart) starts
a job and answers 202 with it; `GET /api/v1/jobs/{id}` tells its progress. The `/ingest` page
does the same with a form, and its job page refreshes itself until the job ends (no script
needed). Writes need the `api_token` setting's token, or come from this machine when it is unset.

The web ingest reads uploads and http(s) URLs only: a line that is a server path is refused
unless it lies inside a folder named in the ``serve_ingest_folders`` setting (the command line
reads any path its user can). A job's address is its unguessable id; what it shows names no
server path. Uploads go to a folder of this process under the temporary directory, removed when
the job ends, and folders left by a killed server are removed when the next one starts.
"""

from __future__ import annotations

import os
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
from storyline.errors import IngestError
from storyline.ingest.sources import is_url
from storyline.serve.jobs import Job, JobRunner
from storyline.serve.schemas import ErrorOut
from storyline.serve.security import check_form, check_writer, may_write

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Nothing to ingest, or an upload over the limit"},
    403: {"model": ErrorOut, "description": "The API token is missing or wrong"},
    413: {"model": ErrorOut, "description": "The upload is over upload_max_bytes"},
}
CHUNK = 1 << 20
_UNSAFE = re.compile(r"[^\w.\-]+")
UPLOADS = "storyline-uploads"  # under the temporary directory: one folder per upload


def uploads_root() -> Path:
    """The folder that holds upload folders (``<tmp>/storyline-uploads``)."""
    return Path(tempfile.gettempdir()) / UPLOADS


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_uploads() -> int:
    """Remove upload folders whose server process is gone (killed mid-job); return how many."""
    removed = 0
    root = uploads_root()
    if not root.is_dir():
        return 0
    for folder in root.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


async def save_uploads(files: list[UploadFile], limit: int) -> Path | None:
    """Write the uploads into a new folder, keeping their names (their suffix says how to read
    them); refuse them all when together they are over ``limit`` bytes."""
    files = [f for f in files if f.filename]
    if not files:
        return None
    root = uploads_root()
    root.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
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


def allowed_source(line: str, settings: Settings) -> str:
    """``line`` when the web ingest may read it: an http(s) URL, or a path inside a folder of
    ``serve_ingest_folders``; raise IngestError saying what to do otherwise."""
    if is_url(line):
        return line
    if "://" not in line and settings.serve_ingest_folders:
        path = Path(line).expanduser().resolve()
        for folder in settings.serve_ingest_folders:
            if path.is_relative_to(folder.expanduser().resolve()):
                return str(path)
    shown = line[:200]
    raise IngestError(
        f"{shown!r}: the web ingest takes uploaded files and http(s) URLs only; read server "
        "files with `storyline ingest PATH`, or name their folder in STORYLINE_SERVE_INGEST_FOLDERS"
    )


def _lines(urls: str, settings: Settings) -> tuple[list[str], list[dict[str, str]]]:
    """The URL box's lines the web ingest may read, and a failure for each other line."""
    allowed, refused = [], []
    for line in (line.strip() for line in urls.splitlines()):
        try:
            if line:
                allowed.append(allowed_source(line, settings))
        except IngestError as exc:
            refused.append({"source": line[:200], "reason": str(exc)})
    return allowed, refused


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
        lines, refused = _lines(urls, settings)  # a refused line is a failure, never read
        folder = await save_uploads(files, settings.upload_max_bytes)
        sources = ([str(folder)] if folder else []) + lines
        return runner(request).submit(sources, folder, refused=refused)

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
        # recent jobs only for who may write without typing a token: their addresses are
        # their only key
        jobs = sorted(runner(request).jobs.values(), key=lambda j: j.created, reverse=True)
        context = {
            "jobs": [j.as_dict() for j in jobs[:20]] if may_write(request, settings) else [],
            "needs_token": bool(settings.api_token),
        }
        return templates.TemplateResponse(request, "ingest.html", context)

    @app.post("/ingest", include_in_schema=False)
    async def ingest_form(
        request: Request,
        files: Annotated[list[UploadFile], File()] = [],  # noqa: B006
        urls: Annotated[str, Form()] = "",
        token: Annotated[str | None, Form()] = None,
        csrf: Annotated[str | None, Form()] = None,
    ) -> RedirectResponse:
        check_form(request, csrf)
        job = await start(request, files, urls, token)
        return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)

    @app.get("/ingest/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = runner(request).get(job_id).as_dict()
        return templates.TemplateResponse(request, "job.html", {"job": job})
