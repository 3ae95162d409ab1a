"""Celery entry points of the jobs app (the task lives next to its service)."""

from .services import run_job_task, sweep_stale_jobs_task

__all__ = ["run_job_task", "sweep_stale_jobs_task"]
