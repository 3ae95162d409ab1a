"""Signals other apps listen to; core never imports them (netops, billing).

Both are sent inside the service's transaction: a receiver that raises (a pool
exhausted, say) undoes the whole operation, so nothing is half-written.
"""

from django.dispatch import Signal

# subscription, actor
subscription_started = Signal()
# subscription, actor
subscription_ended = Signal()
# subscription, actor: its price or dates changed (billing corrects what it already billed)
subscription_changed = Signal()
