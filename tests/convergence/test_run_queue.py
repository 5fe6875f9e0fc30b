"""The run queue of the local daemon behaves like Dagster's QueuedRunCoordinator: at most `workers`
runs at once, the highest `dagster/priority` first (a follow-up overtakes a queue of onboardings),
then in order of arrival; and the follow-up sensor asks for that priority."""

from __future__ import annotations

from concurrent.futures import Future

from devtools.local_daemon import LocalDaemon, Task
from sensors.followup import FOLLOW_UP_PRIORITY


class _Pool:
    """Records what the daemon starts; each run finishes when the test says so."""

    def __init__(self):
        self.started: list[str] = []
        self.tasks: list[Task] = []
        self.futures: dict[str, Future] = {}

    def submit(self, fn, task: Task) -> Future:
        self.started.append(task.partition)
        self.tasks.append(task)
        self.futures[task.partition] = Future()
        return self.futures[task.partition]

    def finish(self, partition: str) -> None:
        self.futures[partition].set_result((partition, True))

    def shutdown(self, **_) -> None:
        pass


def test_a_follow_up_starts_before_the_onboardings_queued_ahead_of_it(clean_db, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    with LocalDaemon(str(tmp_path), {}, workers=2, sensors=()) as daemon:
        daemon.pool.shutdown()
        daemon.pool = pool = _Pool()
        daemon.submit([Task(f"new-{i}.com", None, {}) for i in range(4)])
        assert pool.started == ["new-0.com", "new-1.com"]  # two workers: two runs at once

        daemon.submit([Task("waiting.com", ["dns_zone"], {"dagster/priority": FOLLOW_UP_PRIORITY})])
        assert pool.started == ["new-0.com", "new-1.com"]  # nothing overtakes a running run

        pool.finish("new-0.com")
        daemon.collect()
        assert pool.started[2] == "waiting.com"  # before new-2 and new-3, queued earlier

        pool.finish("new-1.com")
        daemon.collect()
        assert pool.started == ["new-0.com", "new-1.com", "waiting.com", "new-2.com"]


def test_a_sites_queued_runs_stay_apart_unless_of_equal_priority(clean_db, monkeypatch, tmp_path) -> None:
    """As Dagster queues them: a follow-up for a site whose onboarding is queued is a run of its
    own and starts first; two follow-ups for one site waiting in the queue become one run."""
    monkeypatch.setenv("FACTORY_DATABASE_URL", clean_db)
    with LocalDaemon(str(tmp_path), {}, workers=1, sensors=()) as daemon:
        daemon.pool.shutdown()
        daemon.pool = pool = _Pool()
        daemon.submit([Task("busy.com", None, {}), Task("a.com", None, {}), Task("b.com", None, {})])
        daemon.submit([Task("b.com", ["dns_zone"], {"dagster/priority": FOLLOW_UP_PRIORITY}),
                       Task("b.com", ["hosting_site"], {"dagster/priority": FOLLOW_UP_PRIORITY})])
        for finished in ("busy.com", "b.com", "a.com"):
            pool.finish(finished)
            daemon.collect()
        assert pool.started == ["busy.com", "b.com", "a.com", "b.com"]
        assert [t.assets for t in pool.tasks] == [None, ["dns_zone", "hosting_site"], None, None]
