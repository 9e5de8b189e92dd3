"""Running shards in parallel: local processes, or Ray tasks on a cluster.

Shards are independent and each writes its own file, so the scheduler only has to call
``run_shard`` on every spec; the output does not depend on which process ran which shard.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

ShardArgs = tuple[dict[str, Any], dict[str, Any], str]

_worker = None  # one ShardWorker (with its sandbox pools) per pool process


def _init(config_data: dict[str, Any]) -> None:
    global _worker
    import atexit

    from execverify.synth.pipeline import ShardWorker, SynthConfig

    _worker = ShardWorker(SynthConfig.from_dict(config_data))
    atexit.register(_worker.close)


def _run(args: ShardArgs) -> dict[str, Any]:
    from execverify.synth.pipeline import run_shard

    return run_shard(*args, worker=_worker)


def run_in_processes(args: list[ShardArgs], workers: int,
                     report: Callable[[int], None]) -> list[dict[str, Any]]:
    """``workers`` processes (spawned, not forked: the parent holds sandbox threads).

    The costliest shards go first, a shard's cost taken as its quota times its level (a level
    6 record costs about four times a level 1 one): the last shards to run are then cheap, so
    no process idles long at the end while another finishes a big one.
    """
    results: list[dict[str, Any] | None] = [None] * len(args)
    context = multiprocessing.get_context("spawn")
    order = sorted(range(len(args)), key=lambda i: -args[i][1]["quota"] * args[i][1]["level"])
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                             initargs=(args[0][0],)) as pool:
        futures = {pool.submit(_run, args[i]): i for i in order}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            report(results[futures[future]]["kept"])
    return results  # type: ignore[return-value]


def run_on_ray(args: list[ShardArgs], report: Callable[[int], None]) -> list[dict[str, Any]]:
    """One Ray task per shard on the cluster ``ray.init()`` connects to (RAY_ADDRESS, or a
    local one). Every node needs execverify installed and a shared path for the output."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise RuntimeError("--ray needs Ray: pip install 'execverify[ray]'") from exc
    from execverify.synth.pipeline import run_shard

    if not ray.is_initialized():
        ray.init()
    task = ray.remote(run_shard)
    refs = [task.remote(*a) for a in args]
    index = {ref: i for i, ref in enumerate(refs)}
    results: list[dict[str, Any] | None] = [None] * len(args)
    pending = list(refs)
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        results[index[done[0]]] = ray.get(done[0])
        report(results[index[done[0]]]["kept"])
    return results  # type: ignore[return-value]
