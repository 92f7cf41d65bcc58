"""Numerical work done while serving (the carte des sensibilités, the grouping suggestions): numpy's
maths library on one thread. OpenBLAS starts a thread per core for each matrix product; on a small
server whose cores the web workers keep busy, those threads wait on each other: measured with
bench.opinion_map at load average 5 on 2 cores, a 200 × 20 map took 9.2 s with OpenBLAS's threads
and 0.4 s on one (bench/results.md)."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

P = ParamSpec("P")
R = TypeVar("R")


def single_threaded(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with threadpool_limits(limits=1):
            return fn(*args, **kwargs)
    return run
