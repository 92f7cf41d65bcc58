"""The channel layer and per-process fan-out, with real asyncio (and real Redis when asked)."""

import asyncio
import os

import pytest

from app.publishing import ITEMS, PRESENCE
from app.realtime import Connection, Hub, MemoryChannelLayer, RedisChannelLayer

pytestmark = pytest.mark.broadcast


def make_layer():
    if os.environ.get("CAP_TEST_BROADCAST") == "redis":
        from tests.conftest import redis_url

        return RedisChannelLayer(redis_url())
    return MemoryChannelLayer()


def test_publish_reaches_every_subscriber_of_the_topic_only():
    async def scenario():
        layer = make_layer()
        await layer.start()
        try:
            async with layer.subscribe("workshop:1") as a, layer.subscribe("workshop:1") as b, \
                    layer.subscribe("workshop:2") as other:
                await layer.publish("workshop:1", '{"kind": "items"}')
                got = [await asyncio.wait_for(anext(s), 2) for s in (a, b)]
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(anext(other), 0.3)
                return got
        finally:
            await layer.stop()

    assert asyncio.run(scenario()) == ['{"kind": "items"}'] * 2


def frames_sent(role: str, *offers: dict[str, str]) -> list[str]:
    """What a connection's sender sends after these offers, made before it runs."""
    async def scenario():
        sent: list[str] = []

        async def send(text: str) -> None:
            sent.append(text)

        conn = Connection(role, send, participant_id=1 if role == "participant" else None)
        for fragments in offers:
            conn.offer(fragments)
        task = asyncio.create_task(conn.run_sender(timeout=1))
        await asyncio.sleep(0.05)
        task.cancel()
        return sent

    return asyncio.run(scenario())


def test_connection_mailbox_keeps_only_the_latest_version_of_each_fragment():
    sent = frames_sent("board", {"board-main": "<main id='board-main'>v1</main>"},
                       {"board-main": "<main id='board-main'>v2</main>",
                        "board-presence": "<p id='board-presence'>3</p>"})
    assert len(sent) == 1 and "v2" in sent[0] and "v1" not in sent[0] and "board-presence" in sent[0]


def test_a_fragment_offered_again_goes_in_the_order_of_its_new_offer():
    """A phone's personal part waiting unsent, then a step (shared part, then personal part):
    the frame has the shared part first, or it would wipe what the personal part brings."""
    sent = frames_sent("participant", {"p-mine": "<ul id='mine-1'>old</ul>"},
                       {"p-activity": "<section id='p-activity'>step</section>",
                        "p-mine": "<ul id='mine-1'>new</ul>"})
    assert sent == ["<section id='p-activity'>step</section><ul id='mine-1'>new</ul>"]


def test_a_stalled_client_times_out_instead_of_blocking():
    async def scenario():
        async def never(_text: str) -> None:
            await asyncio.Event().wait()

        conn = Connection("participant", never, participant_id=1)
        conn.offer({"p-activity": "x"})
        await conn.run_sender(timeout=0.2)

    with pytest.raises(TimeoutError):
        asyncio.run(scenario())


def test_room_coalesces_bursts_and_a_slow_viewer_does_not_delay_others():
    async def scenario():
        refreshes: list[set[str]] = []
        fast_frames: list[str] = []

        async def refresher(room, kinds, conns):
            refreshes.append(set(kinds))
            for conn in conns:
                conn.offer({"board-main": f"state {len(refreshes)}"})

        async def fast_send(text: str) -> None:
            fast_frames.append(text)

        async def slow_send(_text: str) -> None:
            await asyncio.sleep(3600)

        layer = make_layer()
        await layer.start()
        hub = Hub(layer, refresher, interval=0.1)
        fast, slow = Connection("board", fast_send), Connection("board", slow_send)
        senders = [asyncio.create_task(c.run_sender(timeout=60)) for c in (fast, slow)]
        try:
            async with hub.join(7, fast), hub.join(7, slow):
                for _ in range(200):
                    await hub.publish(7, ITEMS)
                await hub.publish(7, PRESENCE)
                await asyncio.sleep(0.5)
        finally:
            for t in senders:
                t.cancel()
            await hub.close()
            await layer.stop()
        return refreshes, fast_frames

    refreshes, fast_frames = asyncio.run(scenario())
    # 201 events, a few refreshes: cost follows viewers, not events.
    assert 1 <= len(refreshes) <= 6, refreshes
    assert set().union(*refreshes) == {ITEMS, PRESENCE}
    assert fast_frames and fast_frames[-1] == f"state {len(refreshes)}"


def test_rooms_are_dropped_with_their_last_viewer():
    async def scenario():
        layer = make_layer()
        await layer.start()

        async def refresher(room, kinds, conns):
            return None

        hub = Hub(layer, refresher, interval=0.05)

        async def noop(_t: str) -> None:
            return None

        async with hub.join(3, Connection("board", noop, participant_id=None)), \
                hub.join(3, Connection("participant", noop, participant_id=42)):
            assert hub.connected_participants() == [42]
            assert 3 in hub.rooms
        rooms = dict(hub.rooms)
        await layer.stop()
        return rooms

    assert asyncio.run(scenario()) == {}
