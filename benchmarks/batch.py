"""Batch runner throughput: a plain loop over ``inpaint_file`` against ``videofill.batch`` on a local Ray with 1 and 2
workers, Ray's own cost per task, and the arithmetic for 1,000 videos on a cluster.

Jobs: the shared 320x176 composed cases, default preset, the first ``--frames`` frames of each inpainted (the rest
copied through), H.264 output. Every mode writes fresh outputs. Ray's start-up is timed on its own and left out of the
throughput (a cluster is started once for many jobs); the first task on each worker does include that worker's
start and its imports (torch), as it would on a cluster node's first job.

    .venv/bin/python benchmarks/batch.py [--frames 15] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
# Ray's workers are new processes: they import videofill from this checkout too
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
os.environ.setdefault("RAY_DISABLE_IMPORT_WARNING", "1")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

DATA = Path(os.environ.get("VIDEOFILL_DATA", ROOT.parent / "shared" / "data"))
if not DATA.is_dir():
    DATA = Path("/work/shared/data")
CASES = ("composed_car-roundabout_x_dogs-jump", "composed_kite-surf_x_tennis", "composed_soapbox_x_blackswan",
         "composed_sam2-cups_x_schoolgirls")


def make_jobs(outdir: Path, frames: int):
    from videofill.batch import read_jobs

    listing = outdir / "jobs.csv"
    outdir.mkdir(parents=True, exist_ok=True)
    listing.write_text("name,input,masks,end\n" + "".join(
        f"{c},{DATA / c / 'frames'},{DATA / c / 'masks'},{frames}\n" for c in CASES))
    return read_jobs(listing, outdir)


def plain_loop(jobs) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for ``inpaint_file`` on each job in turn, in this process (torch imported before
    the clock starts). Torch gets one thread, as in a Ray task (Ray sets OMP_NUM_THREADS=1 for a 1-CPU task)."""
    import torch

    import videofill.pipeline  # noqa: F401  (the imports a worker pays on its first task)
    from videofill.files import inpaint_file

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        start, cpu = time.perf_counter(), time.process_time()
        for job in jobs:
            inpaint_file(job.input, job.masks, job.output, job.config, start=job.start, end=job.end)
        return time.perf_counter() - start, time.process_time() - cpu
    finally:
        torch.set_num_threads(threads)


def ray_batch(jobs, outdir: Path, workers: int) -> tuple[float, float, list]:
    """(seconds to start Ray, seconds for the batch on it, reports)."""
    import ray

    from videofill.batch import run_batch

    start = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - start
    try:
        start = time.perf_counter()
        reports = run_batch(jobs, outdir, workers=workers)
        return started, time.perf_counter() - start, reports
    finally:
        ray.shutdown()


def ray_costs(count: int = 40) -> dict:
    """Ray's own costs on a fresh 1-CPU Ray: a worker's start (first trivial task), the imports a worker pays on its
    first job (videofill.pipeline, torch), and the latency of a trivial task on a warm worker (submit, run, get)."""
    import ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        noop = ray.remote(num_cpus=1)(lambda x: x)
        start = time.perf_counter()
        ray.get(noop.remote(0))
        first = time.perf_counter() - start

        def imports() -> float:
            begin = time.perf_counter()
            import videofill.pipeline  # noqa: F401

            return time.perf_counter() - begin

        imported = ray.get(ray.remote(num_cpus=1)(imports).remote())
        start = time.perf_counter()
        for i in range(count):
            ray.get(noop.remote(i))
        return {"worker_start": first, "imports": imported, "latency": (time.perf_counter() - start) / count}
    finally:
        ray.shutdown()


def _duration(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=15, help="frames inpainted per job (the first N)")
    parser.add_argument("--report", default=str(ROOT / "benchmarks" / "results" / "batch.md"))
    args = parser.parse_args()
    import ray

    work = Path(tempfile.mkdtemp(prefix="videofill-batch-bench-"))
    load_before = os.getloadavg()
    try:
        rows = []
        loop_s, loop_cpu = plain_loop(make_jobs(work / "loop", args.frames))
        rows.append(("plain loop, 1 process", None, loop_s, loop_cpu))
        results = {}
        for workers in (1, 2):
            started, seconds, reports = ray_batch(make_jobs(work / f"ray{workers}", args.frames), work / f"ray{workers}", workers)
            assert all(r.status == "done" for r in reports), reports
            results[workers] = (started, seconds, reports)
            rows.append((f"Ray, {workers} worker{'s' if workers > 1 else ''}", started, seconds,
                         sum(r.cpu_seconds for r in reports)))
        costs = ray_costs()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    n = len(CASES)
    per_job_loop = loop_s / n
    overhead = (results[1][1] - loop_s) / n
    peak = max(r.peak_mib for r in results[2][2])
    lines = [
        "# Batch runner: throughput on this machine, Ray's overhead, and 1,000 videos on a cluster",
        "",
        f"Command: `.venv/bin/python benchmarks/batch.py --frames {args.frames}` (Ray {ray.__version__}).",
        "",
        f"Jobs: {n} shared 320x176 composed cases ({', '.join(CASES)}), default preset (flow-guided propagation), "
        f"the first {args.frames} frames of each inpainted (the other frames copied through), H.264 output. "
        "Machine: 2-core CPU, no GPU, shared with other engineers' runs "
        f"(load average {load_before[0]:.1f} before, {load_after[0]:.1f} after: the numbers are slower and noisier "
        "than on an idle machine).",
        "",
        "| mode | Ray start (s) | batch, wall (s) | wall s / job | jobs / hour | CPU s / job (in the job) |",
        "|---|---|---|---|---|---|",
    ]
    for name, started, seconds, cpu in rows:
        lines.append(f"| {name} | {'-' if started is None else f'{started:.1f}'} | {seconds:.1f} | {seconds / n:.1f} "
                     f"| {3600 * n / seconds:.0f} | {cpu / n:.1f} |")
    speedup = results[1][1] / results[2][1]
    cpu1 = sum(r.cpu_seconds for r in results[1][2])
    lines += [
        "",
        "Wall time is what a user waits for; on this machine it is set mostly by the other users' load (our processes "
        "get a share of 2 cores whatever their number). CPU time (user + system of the process doing the job, all its "
        "threads; for Ray measured inside each task) is the work itself and is much less sensitive to the load.",
        "",
        f"- Ray's overhead per job against the plain loop, 1 worker: wall {overhead:+.1f} s per job "
        f"({100 * overhead / per_job_loop:+.0f} %), CPU {(cpu1 - loop_cpu) / n:+.2f} s per job (inside the task; "
        "the same code runs in both, so this is noise). The wall difference is within the noise of the load.",
        f"- Ray's own costs, measured apart: starting a worker (first trivial task on a fresh Ray) "
        f"{costs['worker_start']:.1f} s, the imports of its first job (videofill.pipeline, torch) "
        f"{costs['imports']:.1f} s, both once per worker; then {1000 * costs['latency']:.1f} ms per task "
        "(submit, run on a warm worker, get) - negligible against a job of seconds to minutes.",
        f"- 2 workers against 1: {speedup:.2f}x wall. With the machine's 2 cores already oversubscribed by others, "
        "a second worker cannot add CPU time; on an idle 2-core machine two 1-thread workers would be expected near "
        "2x the 1-worker rate (not measured here).",
        f"- Peak resident memory of a worker during a job: {peak:.0f} MiB (summary.csv's peak_mib).",
        "- Starting an embedded Ray (`ray.init`) costs the time in the table once per `videofill batch` command; "
        "on a cluster it is started once (`ray start`).",
        "",
        "## 1,000 videos on a cluster: the arithmetic",
        "",
    ]
    cpu_frame = cpu1 / n / args.frames  # CPU seconds per inpainted frame on one worker (one thread)
    per_video = cpu_frame * 300 + costs["latency"]  # a 10-second clip at 30 fps, on a dedicated core
    total_cpu_h = 1000 * per_video / 3600
    lines += [
        f"Measured here: {cpu_frame:.2f} CPU s per inpainted 320x176 frame on a 1-thread worker: the job's whole CPU "
        f"time over its {args.frames} inpainted frames, so it also carries the decoding and encoding of the copied-"
        "through frames, and CPU time on a machine this loaded is inflated by the contention for caches and cores. It "
        "is likely an overestimate: on the idle machine the default preset inpainted the 30-frame cases in 6.2-6.7 s wall "
        "with 2 threads (`benchmarks/results/speed_default.md`): ~0.2 s per frame of wall time, at most ~0.4 CPU s. Take 1,000 videos of 10 s at 30 fps (300 frames at 320x176; time "
        f"grows about with the pixels, so about 4x this for 640x360): {per_video / 60:.1f} min per video on a dedicated "
        f"core, {total_cpu_h:.0f} core-hours in all. Each worker also pays its start and imports once "
        f"(~{costs['worker_start'] + costs['imports']:.0f} s here).",
        "",
        "| cluster | workers (1 core each) | wall time for 1,000 videos (at the measured rate) |",
        "|---|---|---|",
    ]
    for nodes, cores in ((1, 2), (10, 16), (50, 16), (100, 32)):
        workers = nodes * cores
        rounds = -(-1000 // workers)  # jobs are whole videos: ceil(1000 / workers) videos in a row per worker
        lines.append(f"| {nodes} node{'s' if nodes > 1 else ''} x {cores} cores | {workers} | "
                     f"{_duration(rounds * per_video)} ({rounds} video{'s' if rounds > 1 else ''} per worker) |")
    lines += [
        "",
        "Assumes each job is CPU-bound on one core (Ray gives a task `num_cpus=1` and sets OMP_NUM_THREADS=1), the "
        "nodes read and write a shared file system fast enough (a 300-frame 320x176 H.264 clip is a few MB), and "
        "Ray's per-task cost stays the measured latency. Past 1,000 workers whole-video jobs leave workers idle; "
        "`--split-windows` then spreads each video's windows (60 frames by default) over workers instead: a "
        "300-frame clip has 6 windows of 60 sharing 10, so 1,000 videos are ~6,000 window tasks.",
        "",
    ]
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
