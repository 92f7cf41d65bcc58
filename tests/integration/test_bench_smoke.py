"""`bench.load` in its smoke mode (a dozen phones, a few seconds), so that the benchmark cannot
rot: it runs end to end and its own loss check passes. Correctness only: nothing about timing."""

import os
import subprocess
import sys

import pytest

from tests.conftest import postgres_url, redis_url
from tests.support import ROOT


@pytest.mark.parametrize("options", [["--kind", "rating", "--pin", "--reconnect-share", "0.5"],
                                     ["--kind", "poll", "--burst", "--repeat", "2"]])
def test_the_load_bench_runs_and_loses_nothing(options):
    run = subprocess.run([sys.executable, "-m", "bench.load", "--smoke", *options], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "'lost': 0, 'stored_not_sent': 0, 'doubled': 0" in run.stdout
    assert "errors 0" in run.stdout and "missing [0]" in run.stdout
    assert "frames/s" in run.stdout and "0 suspicious lines" in run.stdout
    if "--repeat" in options:
        assert run.stdout.count("loss check") == 2 and "Medians of 2 runs" in run.stdout


@pytest.mark.storage
@pytest.mark.broadcast
def test_the_load_bench_runs_on_two_workers_with_postgres_and_redis():
    if os.environ.get("CAP_TEST_DB") != "postgres":
        pytest.skip("runs in make test's PostgreSQL + Redis pass")
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
