"""The queue lab's description (lesson 05, use case 3): messages, batches, the crash, the mode.

Validated like every description; the lab (:mod:`course_lib.kafka.live.queue_lab`) and its child
consumer (:mod:`course_lib.kafka.clients.queue_consumer`) both take it.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.core.validate import description, integer, number, one_of

MODES = ("at-least-once", "at-most-once")


@description
@dataclass(frozen=True)
class QueueLab:
    """The lab's description: how many messages, batch size, when the consumer crashes, the mode."""

    messages: int = 300
    batch_size: int = 50
    crash_after: int | None = 120
    mode: str = "at-least-once"
    processing_time: float = 0.001  # seconds per message: the slow consumer
    session_timeout_ms: int = 3000  # how long the coordinator waits for a silent member

    def __post_init__(self) -> None:
        integer("messages", self.messages, ge=1)
        integer("batch_size", self.batch_size, ge=1)
        if self.crash_after is not None:
            integer("crash_after", self.crash_after)
            number("crash_after", self.crash_after, ge=0, lt=self.messages,
                   high_name=f"messages={self.messages}")
        one_of("mode", self.mode, MODES)
        number("processing_time", self.processing_time, ge=0)
        integer("session_timeout_ms", self.session_timeout_ms, ge=1000)
