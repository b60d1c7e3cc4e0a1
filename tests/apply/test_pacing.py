from __future__ import annotations

import threading

from reconciler.apply.pacing import WritePacer


class FakeClock:
    """A clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def test_unpaced_never_sleeps():
    clock = FakeClock()
    pacer = WritePacer(None, clock=clock, sleep=clock.sleep)

    for _ in range(5):
        pacer.wait()

    assert clock.sleeps == []


def test_paced_calls_get_spaced_slots():
    clock = FakeClock()
    pacer = WritePacer(4.0, clock=clock, sleep=clock.sleep)

    for _ in range(4):
        pacer.wait()

    assert clock.sleeps == [0.25, 0.5, 0.75]


def test_idle_time_is_not_saved_up():
    clock = FakeClock()
    pacer = WritePacer(2.0, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 10.0

    pacer.wait()
    pacer.wait()

    assert clock.sleeps == [0.5]


def test_threads_share_one_schedule():
    clock = FakeClock()
    pacer = WritePacer(10.0, clock=clock, sleep=clock.sleep)
    threads = [threading.Thread(target=pacer.wait) for _ in range(5)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(round(s, 6) for s in clock.sleeps) == [0.1, 0.2, 0.3, 0.4]
