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

# Sent by ``netops.services.suspend_member`` / ``restore_member`` (billing's suspension and its
# end), inside their transaction, with ``member`` and ``actor``. Apps that host something of
# the member's (the datacenter flags their machines) listen without netops importing them.
member_suspended = Signal()
member_restored = Signal()
