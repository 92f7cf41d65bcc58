"""`bench.load` in its smoke mode (a dozen phones, a few seconds), so that the benchmark cannot
rot: it runs end to end and its own loss check passes. Correctness only: nothing about timing.

They run in make test's PostgreSQL + Redis pass only (two minutes of subprocesses there, where
the pass has room, rather than in the longer SQLite pass beside it)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import postgres_url, redis_url
from tests.support import ROOT

pytestmark = [pytest.mark.storage, pytest.mark.broadcast,
              pytest.mark.skipif(os.environ.get("CAP_TEST_DB") != "postgres",
                                 reason="runs in make test's PostgreSQL + Redis pass")]


@pytest.mark.parametrize("options", [["--kind", "rating", "--pin", "--reconnect-share", "0.5"],
                                     ["--kind", "poll", "--burst", "--repeat", "2"],
                                     ["--kind", "postits"],
                                     ["--workshops", "3"]])
def test_the_load_bench_runs_and_loses_nothing(options):
    run = subprocess.run([sys.executable, "-m", "bench.load", "--smoke", *options], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "'lost': 0, 'stored_not_sent': 0, 'doubled': 0" in run.stdout
    boards = int(options[options.index("--workshops") + 1]) if "--workshops" in options else 1
    assert "errors 0" in run.stdout and f"missing {[0] * boards}" in run.stdout
    assert "frames/s" in run.stdout and "0 suspicious lines" in run.stdout, run.stdout[-4000:]
    if "--repeat" in options:
        assert run.stdout.count("loss check") == 2 and "Medians of 2 runs" in run.stdout
    if "postits" in options:  # every post-it acknowledged, none stored without its ack
        assert "30 sent (0 unsent), 30 acked" in run.stdout and "'stored_unacked': 0" in run.stdout
    if "--workshops" in options:
        assert "12 phones in 3 workshops (4 phones each)" in run.stdout
        assert "board p99    : per workshop from" in run.stdout and "in each of 3 workshops" in run.stdout


def test_the_reconnect_bench_runs_and_every_screen_sees_every_change():
    """A short `bench.reconnect`: both limits, both phases, no change missed (a screen may skip one a
    newer one overtook, under load), and the looping client
    refused under the production limit only."""
    run = subprocess.run([sys.executable, "-m", "bench.reconnect", "--phones", "3", "--seconds", "4"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    production, lifted = run.stdout.split("(lifted)")
    assert production.count(", 0 missed)") == 2 and lifted.count(", 0 missed)") == 2
    assert "refused 403" in production and "refused" not in lifted


def test_the_login_timing_bench_runs():
    """Both kinds of failed login measured against a real server, every one answered 401 (the
    bench stops otherwise); the figures printed, whatever they are."""
    run = subprocess.run([sys.executable, "-m", "bench.login_timing", "--smoke"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "10 of each kind, interleaved" in run.stdout and "load average" in run.stdout
    for line in ("wrong password : median", "unknown e-mail : median", "unknown / wrong: median"):
        assert line in run.stdout, run.stdout


def test_the_load_bench_runs_on_two_workers_with_postgres_and_redis():
    run = subprocess.run([sys.executable, "-m", "bench.load", "--smoke", "--kind", "poll", "--burst",
                          "--postgres", postgres_url(), "--redis", redis_url(), "--workers", "2"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 worker(s), PostgreSQL, channel layer Redis" in run.stdout
    assert "'lost': 0, 'stored_not_sent': 0, 'doubled': 0" in run.stdout
    assert "errors 0" in run.stdout and "missing [0]" in run.stdout


def test_the_loss_check_sees_a_lost_a_doubled_and_an_unsent_write():
    from bench.load import Write, check_losses
    from bench.postits import Sample

    writes = [Write(0, "/rate", {"item": "5", "axis": "impact", "value": "3"}, ("5", "impact")),
              Write(1, "/rate", {"item": "5", "axis": "impact", "value": "2"}, ("5", "impact"))]
    samples = [Sample(0, 0.0, 0.1, 0.2, 201), Sample(1, 0.0, 0.1, 0.2, 201)]
    ids = [10, 11]
    assert check_losses("rating", writes, samples, ids, [(10, "5", "impact", 3), (11, "5", "impact", 2)]) == {
        "acked": 2, "lost": 0, "stored_not_sent": 0, "doubled": 0}
    assert check_losses("rating", writes, samples, ids, [(10, "5", "impact", 3)])["lost"] == 1
    assert check_losses("rating", writes, samples, ids, [
        (10, "5", "impact", 3), (11, "5", "impact", 2), (11, "5", "impact", 2)])["doubled"] == 1
    assert check_losses("rating", writes, samples, ids, [
        (10, "5", "impact", 3), (11, "5", "impact", 2), (10, "6", "impact", 1)])["stored_not_sent"] == 1


def test_the_loss_check_sees_a_lost_a_doubled_an_unsent_and_an_unacknowledged_post_it():
    from bench.load import Write, check_losses
    from bench.postits import Sample

    def post(phone, marker, key):
        return Write(phone, "/items", {"text": f"{marker} facteur", "idempotency_key": key,
                                       "category": "social", "group_id": "1"}, ("", ""), marker=marker)

    writes = [post(0, "bl1-0000000", "k0"), post(1, "bl1-0000001", "k1"), post(0, "bl1-0000002", "k2")]
    samples = [Sample(0, 0.0, 0.1, 0.2, 201), Sample(1, 0.0, 0.1, 0.2, 201),
               Sample(2, 0.0, 0.1, 30.1, None, "ReadTimeout")]
    ids = [10, 11]
    both = [(10, "k0", "bl1-0000000 facteur", None), (11, "k1", "bl1-0000001 facteur", None)]
    assert check_losses("postits", writes, samples, ids, both) == {
        "acked": 2, "lost": 0, "stored_not_sent": 0, "doubled": 0, "stored_unacked": 0}
    # Acknowledged but not stored, or stored with another text or under another phone: lost.
    assert check_losses("postits", writes, samples, ids, both[:1])["lost"] == 1
    assert check_losses("postits", writes, samples, ids, [
        both[0], (11, "k1", "bl1-0000001 autre", None)])["lost"] == 1
    moved = check_losses("postits", writes, samples, ids, [both[0], (10, "k1", "bl1-0000001 facteur", None)])
    assert moved["lost"] == 1 and moved["stored_not_sent"] == 1
    # The same post-it twice, under its key or under another one (its marker is unique).
    assert check_losses("postits", writes, samples, ids, [*both, both[1]])["doubled"] == 1
    twice = check_losses("postits", writes, samples, ids, [*both, (11, "k9", "bl1-0000001 facteur", None)])
    assert twice["doubled"] == 1 and twice["stored_not_sent"] == 1
    # A row nobody sent; a post sent but never acknowledged (a timeout) and yet stored.
    assert check_losses("postits", writes, samples, ids, [
        *both, (11, "zz", "intrus", None)])["stored_not_sent"] == 1
    late = check_losses("postits", writes, samples, ids, [*both, (10, "k2", "bl1-0000002 facteur", None)])
    assert late["stored_unacked"] == 1 and late["lost"] == late["stored_not_sent"] == 0
