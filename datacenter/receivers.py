"""Billing's suspensions reach the datacenter through core signals (netops never imports us)."""

from django.dispatch import receiver

from coin.members.signals import member_restored, member_suspended

from . import services


@receiver(member_suspended, dispatch_uid="datacenter_flag_suspended")
def flag_suspended(sender, member, actor=None, **kwargs):
    services.flag_member(member, True, actor=actor)


@receiver(member_restored, dispatch_uid="datacenter_clear_suspended")
def clear_suspended(sender, member, actor=None, **kwargs):
    services.flag_member(member, False, actor=actor)
