"""The fault tests' Celery workers: one pool for the session, since a start is the slow part."""

import os
import signal
import subprocess
import uuid
from pathlib import Path

from tests.helpers import start_worker

# The project's app with the slow test export registered (harmless to the other tests).
APP = "tests.faults.worker_app"


class FaultWorkers:
    """Worker processes for the fault tests, each on its own queue and writing its own log.

    The session has `budget` of them: a test that kills one uses it up; the last is left. They
    start when first asked for — never before, so none lives through a test's Redis outage —,
    two at once (on two cores no slower than one), and the next as soon as one is killed, so a
    test finds its workers up, or starting while the test before it ran.
    """

    def __init__(self, directory: Path, budget: int):
        self.directory, self.budget = directory, budget
        self.media = directory / "media"
        self.media.mkdir(exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}

    def log(self, queue: str) -> Path:
        """What the worker of `queue` printed (the console email backend's mails among it)."""
        return self.directory / f"{queue}.log"

    def alive(self) -> list[str]:
        """Queues of the live workers, oldest first; starts what the budget still allows."""
        while len(self.processes) < self.budget and len(self._live()) < 2:
            self._start()
        return self._live()

    def kill(self, queue: str) -> None:
        """SIGKILL, as a crash; the next worker starts at once."""
        process = self.processes[queue]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.alive()

    def stop(self) -> None:
        for process in self.processes.values():
            process.kill()
            process.wait(timeout=10)

    def _live(self) -> list[str]:
        return [queue for queue, process in self.processes.items() if process.poll() is None]

    def _start(self) -> None:
        queue = f"faults-{uuid.uuid4().hex[:8]}"
        with self.log(queue).open("wb") as out:  # the worker keeps its own copy of the file
            self.processes[queue] = start_worker(
                queue, env={"MEDIA_ROOT": str(self.media)}, stdout=out, app=APP
            )
