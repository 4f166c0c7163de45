"""Run callables at the same moment, each in its own thread with its own PostgreSQL connection."""

import threading

from django.db import connection


def at_once(*calls, timeout: float = 30) -> list:
    """Each call's outcome, in the order given: its return value, or the exception it raised.

    A barrier releases the threads together; each closes its connection when done (Django
    opens one per thread), so the test's database can be flushed afterwards.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the outcome under test, not a failure of the helper
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting (a lock?)"
    return outcomes
