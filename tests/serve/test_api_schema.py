"""The REST API against its own OpenAPI schema: schemathesis generates requests for every GET
endpoint (valid and edge values: huge ids, odd dates, empty strings) and checks that each answer
is documented, conforms to its schema and is never a server error. The server is real (uvicorn
on 127.0.0.1) with the demo corpus loaded. The write endpoints (ingest, feeds) are generated
against a server of their own, which must stay up and keep everything stored before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from storyline import Storyline
from tests.conftest import demo_copy
from tests.live_server import live_server

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis")
EXAMPLES = 15  # requests generated per endpoint


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, demo_sqlite) -> Iterator[Any]:
    url = demo_copy(demo_sqlite, tmp_path_factory.mktemp("schema"))
    with live_server(url) as client:
        yield schemathesis.openapi.from_url(f"{client.base_url}/openapi.json")


def test_every_read_endpoint_keeps_to_its_schema(api_schema) -> None:
    operations = [r.ok() for r in api_schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 15
    failures = _failures(operations, _read)
    assert not failures, "\n\n".join(failures)


def _read(case: Any) -> None:
    if case.query and "abstractive" in case.query:
        case.query["abstractive"] = "false"  # needs a model server: tested elsewhere
    if case.path == "/api/v1/escalation" and case.query:
        # an unknown actor code is a 422 by design (tests/serve/test_cli_events.py)
        case.query.update(a="RUS", b="NATO")
    case.call_and_validate()


@pytest.fixture(scope="module")
def writable_schema(tmp_path_factory, demo_sqlite) -> Iterator[tuple[Any, Any, str]]:
    """A server of its own for the write endpoints, with what they start kept short: no
    background feed polling, no analysis, one-second HTTP timeouts (generated URLs lead
    nowhere)."""
    url = demo_copy(demo_sqlite, tmp_path_factory.mktemp("writes"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORYLINE_SERVE_POLL_FEEDS", "false")
        patch.setenv("STORYLINE_ANALYZE_ON_INGEST", "false")
        patch.setenv("STORYLINE_HTTP_TIMEOUT", "1")
        with live_server(url) as client:
            yield schemathesis.openapi.from_url(f"{client.base_url}/openapi.json"), client, url


def test_every_write_endpoint_keeps_to_its_schema(writable_schema) -> None:
    schema, client, url = writable_schema
    with Storyline(url) as sl:
        stored = sl.store.count_articles()
    operations = [r.ok() for r in schema.include(method=["POST", "DELETE"]).get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /api/v1/ingest", "POST /api/v1/feeds", "DELETE /api/v1/feeds",
        "POST /api/v1/feeds/poll",
    }  # fmt: skip
    failures = _failures(operations, _write)
    assert not failures, "\n\n".join(failures)
    assert client.get("/api/v1/health").json()["status"] == "ok"
    with Storyline(url) as sl:  # whatever was sent, nothing stored before is lost
        assert sl.store.count_articles() >= stored
        assert all(sl.article(a["id"]).text for a in sl.articles(limit=1000))


def _nothing_to_ingest(case: Any) -> bool:
    """An ingest request with no file and no URL: the schema cannot say 'one of the two'."""
    if case.operation.label != "POST /api/v1/ingest":
        return False
    body = case.body if isinstance(case.body, dict) else {}
    return not body.get("files") and not str(body.get("urls") or "").strip()


def _write(case: Any) -> None:
    if _nothing_to_ingest(case):  # valid by the schema, refused by design (documented)
        answer = case.call()
        assert answer.status_code == 400 and "nothing to ingest" in answer.text
        return
    case.call_and_validate()


def _failures(operations: list[Any], check: Callable[[Any], None]) -> list[str]:
    """Run ``check`` on EXAMPLES generated cases of each operation; every operation's failure,
    collected so that one run reports them all."""
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            check(case)

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:800]}")
    return failures
