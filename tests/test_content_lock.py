"""Turns read the content together; a reload's swap waits for them and is alone while it swaps."""

from __future__ import annotations

import threading

from bot.learning.versions import ContentLock

WAIT = 5.0  # seconds a thread may take to get where the test expects it (never reached when the lock is right)


def test_two_turns_read_at_once() -> None:
    lock = ContentLock()
    inside = threading.Event()
    with lock.reading():

        def second_turn() -> None:
            with lock.reading():
                inside.set()

        other = threading.Thread(target=second_turn)
        other.start()
        assert inside.wait(WAIT)  # one user's turn does not hold another's
        other.join(WAIT)


def test_a_swap_waits_for_the_turns_under_way_and_holds_new_ones_back() -> None:
    lock = ContentLock()
    swapped = threading.Event()
    order: list[str] = []
    reader_in = threading.Event()
    release_reader = threading.Event()

    def turn() -> None:
        with lock.reading():
            reader_in.set()
            release_reader.wait(WAIT)
            order.append("turn")

    def swap() -> None:
        with lock.writing():
            order.append("swap")
            swapped.set()

    first = threading.Thread(target=turn)
    first.start()
    assert reader_in.wait(WAIT)
    writer = threading.Thread(target=swap)
    writer.start()
    assert not swapped.wait(0.2)  # the turn under way still reads the old content
    late_in = threading.Event()

    def late_turn() -> None:
        with lock.reading():
            late_in.set()
            order.append("late")

    late = threading.Thread(target=late_turn)
    late.start()
    assert not late_in.wait(0.2)  # a turn arriving during the wait reads the new content, after the swap
    release_reader.set()
    for thread in (first, writer, late):
        thread.join(WAIT)
    assert order == ["turn", "swap", "late"]
