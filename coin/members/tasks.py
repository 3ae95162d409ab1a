"""Celery entry points of the members app, defined next to the services they wrap."""

from .services import welcome_email_task as send_welcome_email

__all__ = ["send_welcome_email"]
