"""The live hub publishes without holding up the request thread, and a channel layer that is down
(a Redis of this test's own, killed) costs a logged error, never an exception to the writer."""

import asyncio
import logging
import shutil
import subprocess
import threading
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from app.config import Settings
from app.live import Live
from app.publishing import ITEMS, publish_safely
from tests.support import free_port


def test_publish_from_a_thread_returns_at_once_and_the_event_arrives():
    async def scenario() -> tuple[float, list[str]]:
        live = Live(Settings(redis_url=None))
        await live.start()
        try:
            async with live.hub.layer.subscribe("workshop:7") as messages:
                took: list[float] = []

                def writer() -> None:  # a request thread, after its commit
                    started = time.perf_counter()
                    publish_safely(live, 7, ITEMS)
                    took.append(time.perf_counter() - started)

                thread = threading.Thread(target=writer)
                thread.start()
                time.sleep(1.0)  # the loop is busy (a long render): the writer must not wait for it
                thread.join(5)
                received = await asyncio.wait_for(messages.__anext__(), 5)
                return took[0], [received]
        finally:
            await live.stop()

    took, received = asyncio.run(scenario())
    assert received == ['{"kind": "items"}']
    assert took < 0.5  # handed over while the loop was blocked for 1 s: it did not wait


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_a_dead_redis_is_logged_and_never_raised_to_the_writer(caplog):
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)

    async def scenario() -> None:
        live = Live(Settings(redis_url=f"redis://127.0.0.1:{port}/0"))
        for _ in range(50):
            try:
                await live.start()
                break
            except (OSError, RedisConnectionError):
                await asyncio.sleep(0.1)
        try:
            redis.kill()
            redis.wait(5)
            with caplog.at_level(logging.ERROR, logger="cap.live"):
                await asyncio.to_thread(publish_safely, live, 7, ITEMS)  # returns, raises nothing
                for _ in range(100):
                    if "could not publish a change" in caplog.text:
                        break
                    await asyncio.sleep(0.05)
        finally:
            await live.stop()

    try:
        asyncio.run(scenario())
    finally:
        if redis.poll() is None:
            redis.kill()
    assert "could not publish a change (it is stored)" in caplog.text
