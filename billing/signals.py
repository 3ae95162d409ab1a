"""Signals billing sends when a member is suspended for non-payment or restored.

Both are sent inside the billing service's transaction, after the
``Suspension`` row is written. ``billing.receivers`` passes them to
``netops.services.suspend_member`` / ``restore_member``, which take the
member's VPN peers off their endpoints (or back) at the next provisioning run.
"""

from django.dispatch import Signal

# member, suspension, reason
member_suspended = Signal()
# member, suspension
member_restored = Signal()
