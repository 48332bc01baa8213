"""Serve: `GET /api/v1/export/{kind}`, a whole table of the corpus as CSV, JSON Lines or
Parquet (CSV and JSON Lines streamed as they are read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from storyline.serve.exports import MEDIA_TYPES, export_records, parquet_bytes, text_chunks
from storyline.store import Store

Kind = Literal["articles", "entities", "quotes", "claims", "events"]
Format = Literal["csv", "jsonl", "parquet"]


def add_export_routes(app: FastAPI, store: Callable[[Request], Store]) -> None:
    """Register the export endpoint on ``app``."""

    @app.get(
        "/api/v1/export/{kind}",
        tags=["exports"],
        response_class=Response,
        responses={
            200: {
                "description": "The export as a file download",
                "content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()},
            }
        },
    )
    def export(
        request: Request,
        kind: Annotated[Kind, Path(description="What to export")],
        format: Annotated[Format, Query(description="csv, jsonl or parquet")] = "csv",
    ) -> Response:
        """Every article, entity, quote, claim or fused political event, one flat record per
        row (lists as JSON text), as a download."""
        records = export_records(store(request), kind)
        headers = {"Content-Disposition": f'attachment; filename="{kind}.{format}"'}
        if format == "parquet":
            return Response(parquet_bytes(records), media_type=MEDIA_TYPES[format], headers=headers)
        return StreamingResponse(
            text_chunks(records, format), media_type=MEDIA_TYPES[format], headers=headers
        )
