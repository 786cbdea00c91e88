"""Studio queue tasks. Thin on purpose: they take ids, call a service and let the job
row record the outcome."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from huey import crontab

if TYPE_CHECKING:
    from kinema.runtime import Runtime

log = logging.getLogger(__name__)


def register(runtime: Runtime) -> None:
    """Register the studio's tasks on ``runtime.huey`` (``run_generation`` and the
    once-a-minute recovery of jobs whose worker died)."""
    from kinema.studio import service

    huey = runtime.huey

    @huey.task(name="kinema.run_generation")
    def run_generation(generation_id: str) -> None:
        service.run_generation(runtime, generation_id)

    @huey.periodic_task(crontab(minute="*"), name="kinema.recover_generations")
    def recover_generations() -> None:
        report = service.recover_stalled_generations(runtime)
        if report.requeued or report.failed:
            log.info("Recovered generations: %s", report)

    runtime.tasks[service.GENERATION_TASK] = run_generation
    runtime.tasks["recover_generations"] = recover_generations
