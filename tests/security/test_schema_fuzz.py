"""Every operation in the OpenAPI document, fed generated input by Schemathesis, both
input that fits the document and input that does not, as an administrator (so the
moderator and admin operations are reached too), and once more with real ids of an
owner's things as that owner: none answers 5xx."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from private_world import World
from schemathesis import GenerationMode

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from kinema.accounts.models import User

pytestmark = pytest.mark.slow

# Per operation and per mode (fitting, not fitting): enough to cross every parser and
# check once or twice while the whole document stays well under a minute on two cores.
EXAMPLES = 5


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    path_parameters: dict[str, str] | None = None,
) -> list[str]:
    """Server errors from ``EXAMPLES`` generated calls to one operation."""
    errors: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # The same cases on every run, so a red build names one bug, reproducibly;
        # `KINEMA_FUZZ_RANDOM=1` explores new ones.
        derandomize=not os.environ.get("KINEMA_FUZZ_RANDOM"),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def call(case: Any) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500 and len(errors) < 3:
            errors.append(
                f"{case.method} {case.formatted_path} ({mode}) answered "
                f"{response.status_code}: {response.text[:300]}\n  {case.as_curl_command()}"
            )

    try:
        call()
    except Unsatisfiable:
        # Nothing to get wrong: an operation without parameters or body has no
        # input that does not fit.
        assert mode is GenerationMode.NEGATIVE
    return errors


def _real_ids(world: World, path: str) -> dict[str, str]:
    """The owner's own things for a path's parameters, so generated bodies and queries
    reach the code behind the look-up, not only its not-found answer."""
    ids = {
        "video_id": world.generation if path.startswith("/v1/") else world.published,
        "generation_id": world.generation,
        "character_id": world.character,
        "key_id": world.api_key,
        "webhook_id": world.webhook,
        "endpoint_id": world.webhook,
        "comment_id": world.comment,
        "appeal_id": world.appeal,
        "handle": world.other.handle,
    }
    return {name: ids[name] for name in re.findall(r"{(\w+)}", path)}


def test_no_operation_answers_a_server_error(
    app: FastAPI, world: World, api_client: Callable[[User], TestClient]
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    admin = dict(api_client(world.admin).headers)
    owner = dict(world.owner_client.headers)
    errors: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            errors += _fuzz(operation, mode, {"Authorization": admin["authorization"]})
        # (A queued video's progress stream stays open until it finishes: not fuzzed
        # with a real id, as nothing renders here.)
        if "{" in operation.path and not operation.path.endswith("/events"):
            real = _real_ids(world, operation.path)
            errors += _fuzz(
                operation, GenerationMode.POSITIVE, {"Authorization": owner["authorization"]}, real
            )
    assert len(operations) >= 80  # the whole document, not a part of it
    assert not errors, "\n".join(errors)
