"""Read ahead in a background thread, so decompression overlaps the vectorised work.

zlib and polars release the GIL, so on two cores reading the next block while the current one is
parsed and counted is close to free. Items (and the error that ended the stream, if any) arrive
in order; a consumer that stops early stops the reader too.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items``, produced up to ``depth`` ahead by a background thread."""
    slots: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put((_END, None))
        except BaseException as exc:  # handed to the consumer, raised there in order
            slots.put((_END, exc))

    thread = threading.Thread(target=produce, name="argus-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, error = slots.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
