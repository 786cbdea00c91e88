"""Character queue tasks: verify a capture clip, and re-queue checks whose worker
stopped. Thin on purpose: the character row records the outcome."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from huey import crontab

if TYPE_CHECKING:
    from kinema.runtime import Runtime

log = logging.getLogger(__name__)


def register(runtime: Runtime) -> None:
    """Register ``verify_character`` and the once-a-minute recovery on ``runtime.huey``."""
    from kinema.characters import service

    service.remember_data_dir(runtime)
    huey = runtime.huey

    @huey.task(name="kinema.verify_character")
    def verify_character(character_id: str) -> None:
        service.verify_character(runtime, character_id)

    @huey.periodic_task(crontab(minute="*"), name="kinema.recover_verifications")
    def recover_verifications() -> None:
        requeued = service.recover_stalled_verifications(runtime)
        if requeued:
            log.info("Queued character checks again: %s", requeued)

    runtime.tasks[service.VERIFY_TASK] = verify_character
    runtime.tasks["recover_verifications"] = recover_verifications
