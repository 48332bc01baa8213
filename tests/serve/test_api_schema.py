"""The REST API against its own OpenAPI schema: schemathesis generates requests for every GET
endpoint (valid and edge values: huge ids, odd dates, empty strings) and checks that each answer
is documented, conforms to its schema and is never a server error. The server is real (uvicorn
on 127.0.0.1) with the demo corpus loaded. Write endpoints have their own tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from storyline import Storyline
from tests.live_server import live_server

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis")
EXAMPLES = 15  # requests generated per endpoint


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, demo_path) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'schema.db'}"
    with Storyline(url) as sl:
        sl.ingest([str(demo_path)])
    with live_server(url) as client:
        yield schemathesis.openapi.from_url(f"{client.base_url}/openapi.json")


def test_every_read_endpoint_keeps_to_its_schema(api_schema) -> None:
    failures = []
    operations = [r.ok() for r in api_schema.include(method="GET").get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            if case.query and "abstractive" in case.query:
                case.query["abstractive"] = "false"  # needs a model server: tested elsewhere
            case.call_and_validate()

        try:
            check()
        except Exception as exc:  # collect every endpoint's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:800]}")
    assert not failures, "\n\n".join(failures)
