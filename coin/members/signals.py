"""Signals the members app sends (its own handlers are in ``handlers.py``)."""

from django.dispatch import Signal

# Sent once a role assignment takes effect (after commit), with ``assignment``.
# The portal listens to send a 2FA enrolment link to a new role holder.
role_granted = Signal()

# Sent by ``services.change_status`` when a member is admitted (or readmitted), inside the
# admission's transaction, with ``member``, ``actor`` and ``on`` (the admission date). Inside,
# not on commit: what the association's rules add (billing: the first membership period and its
# dues invoice) is stored with the admission or not at all. A receiver returns a sentence for
# the volunteer (what it did, or what remains to do) or None.
member_admitted = Signal()
