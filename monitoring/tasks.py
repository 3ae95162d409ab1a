"""Celery entry points of monitoring (the task lives next to its service)."""

from .services import beat_task

__all__ = ["beat_task"]
