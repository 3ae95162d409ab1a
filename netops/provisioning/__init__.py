"""Provisioning: endpoints coin manages over SSH, their desired state, jobs and routes."""
