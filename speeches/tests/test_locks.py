"""The index write lock: one holder across threads and processes, re-entrant within a thread."""

import threading

import pytest

from speeches.locks import IndexBusy, index_write_lock


def test_the_lock_can_be_taken_again_by_the_thread_that_holds_it(tmp_path):
    # Not re-entrant, the inner call would wait out its timeout and raise IndexBusy.
    entered = []
    with index_write_lock(str(tmp_path / "index"), timeout=1):
        with index_write_lock(str(tmp_path / "index"), timeout=1):
            entered.append(True)
    assert entered == [True]


def test_another_thread_waits_and_then_gives_up_with_index_busy(tmp_path):
    path = str(tmp_path / "index")
    outcome = []

    def contender():
        try:
            with index_write_lock(path, timeout=0.3):
                outcome.append("got it")
        except IndexBusy:
            outcome.append("busy")

    with index_write_lock(path, timeout=1):
        thread = threading.Thread(target=contender)
        thread.start()
        thread.join()
    assert outcome == ["busy"]
    with index_write_lock(path, timeout=1):
        pass


def test_a_process_cannot_take_the_lock_another_process_holds(tmp_path):
    import multiprocessing

    path = str(tmp_path / "index")
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold, args=(path, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(IndexBusy):
            with index_write_lock(path, timeout=0.3):
                pass
    finally:
        release.set()
        holder.join(10)


def _hold(path, ready, release):
    with index_write_lock(path, timeout=5):
        ready.set()
        release.wait(10)
