"""Many videos, or one very long one, on a Ray cluster (or on this machine): ``videofill batch``.

:func:`read_jobs` reads the jobs (CSV, JSONL or a folder of cases), :func:`run_batch` runs them as Ray tasks
(each :func:`videofill.files.inpaint_file`, or its windows on different workers) with retries and a summary.
Ray is imported only when a batch runs (``pip install 'videofill[batch]'``).
"""

from videofill.batch.jobs import Job, read_jobs
from videofill.batch.runner import SUMMARY_NAME, JobReport, run_batch, write_summary

__all__ = ["Job", "JobReport", "SUMMARY_NAME", "read_jobs", "run_batch", "write_summary"]
