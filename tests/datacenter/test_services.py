"""Placing machines: units never shared, inside the rack, within the power budget; departures."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from coin.members.models import AuditEvent
from datacenter import services
from datacenter.models import HostedMachine


def _arrive(rack, first_unit, height_u=1, watts=50, **kwargs):
    return services.arrive(
        actor=None,
        description=kwargs.pop("description", f"machine U{first_unit}"),
        declared_power_w=watts,
        rack=rack,
        first_unit=first_unit,
        height_u=height_u,
        arrived_on=date(2026, 2, 1),
        **kwargs,
    )


def test_a_machine_on_units_already_taken_is_refused_on_the_unit_field(rack):
    _arrive(rack, 3, height_u=2, description="web")
    with pytest.raises(ValidationError) as error:
        _arrive(rack, 4)
    assert "web" in error.value.message_dict["first_unit"][0]
    assert HostedMachine.objects.count() == 1
    _arrive(rack, 5)  # the unit just above is free
    _arrive(rack, 2)  # and the one below


def test_postgresql_refuses_overlapping_units_even_without_the_service(rack):
    _arrive(rack, 3, height_u=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        HostedMachine.objects.create(
            description="sneaky",
            form="rack",
            rack=rack,
            first_unit=4,
            height_u=1,
            declared_power_w=1,
            arrived_on=date(2026, 2, 1),
        )


def test_units_above_the_rack_are_refused(rack):
    with pytest.raises(ValidationError) as error:
        _arrive(rack, 10, height_u=2)
    assert "U11" in error.value.message_dict["first_unit"][0]
    _arrive(rack, 9, height_u=2)


def test_the_power_budget_is_checked_with_measured_draw_when_known(rack):
    first = _arrive(rack, 1, watts=300)
    with pytest.raises(ValidationError) as error:
        _arrive(rack, 2, watts=250)
    assert "500" in error.value.message_dict["declared_power_w"][0]
    services.set_power(first, actor=None, declared_power_w=300, measured_power_w=200)
    _arrive(rack, 2, watts=250)  # 200 measured + 250 fits now
    with pytest.raises(ValidationError):
        services.set_power(first, actor=None, declared_power_w=300, measured_power_w=260)


def test_a_departed_machine_frees_its_units_ports_and_outlets(rack, port, outlet):
    machine = _arrive(rack, 1, height_u=3, watts=450)
    services.patch_port(machine, port, actor=None)
    services.plug_outlet(machine, outlet, actor=None)
    services.depart(machine, actor=None, on=date(2026, 3, 1))
    port.refresh_from_db()
    outlet.refresh_from_db()
    assert port.machine is None and outlet.machine is None
    _arrive(rack, 2, watts=450)
    with pytest.raises(ValidationError):
        services.move(machine, actor=None, rack=rack, first_unit=5, height_u=1)


def test_a_move_is_checked_like_an_arrival(rack, room):
    from datacenter.models import Rack

    other = Rack.objects.create(room=room, name="B", height_u=4, power_budget_w=100)
    machine = _arrive(rack, 1, watts=80)
    _arrive(rack, 5)
    with pytest.raises(ValidationError) as error:
        services.move(machine, actor=None, rack=rack, first_unit=5, height_u=1)
    assert "first_unit" in error.value.message_dict
    moved = services.move(machine, actor=None, rack=other, first_unit=4, height_u=1)
    assert (moved.rack, list(moved.units)) == (other, [4])
    assert AuditEvent.objects.filter(object_repr=machine.description).count() >= 2


def test_a_shelf_slot_holds_one_machine(shelf):
    services.arrive(actor=None, description="pi", declared_power_w=5, shelf=shelf, slot=1)
    with pytest.raises(ValidationError) as error:
        services.arrive(actor=None, description="nuc", declared_power_w=5, shelf=shelf, slot=1)
    assert "pi" in error.value.message_dict["slot"][0]
    with pytest.raises(ValidationError):
        services.arrive(actor=None, description="nuc", declared_power_w=5, shelf=shelf, slot=5)


def test_a_port_or_outlet_used_by_another_machine_is_refused(rack, port, outlet):
    first, second = _arrive(rack, 1), _arrive(rack, 2)
    services.patch_port(first, port, actor=None)
    services.plug_outlet(first, outlet, actor=None)
    with pytest.raises(ValidationError) as error:
        services.patch_port(second, port, actor=None)
    assert "port" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.plug_outlet(second, outlet, actor=None)
    assert "outlet" in error.value.message_dict


def test_a_members_machine_comes_with_their_housing_subscription(rack, housed, make_member):
    member, subscription = housed("alice")
    machine = _arrive(rack, 1, subscription=subscription)
    assert machine.member == member
    with pytest.raises(ValidationError) as error:
        _arrive(rack, 2, member=make_member("bob"))
    assert "subscription" in error.value.message_dict


def test_only_the_datacenter_role_places_machines(rack, make_member):
    with pytest.raises(PermissionDenied):
        services.arrive(
            actor=make_member(roles=["network"]),
            description="x",
            declared_power_w=1,
            rack=rack,
            first_unit=1,
            height_u=1,
        )
    services.arrive(
        actor=make_member(roles=["datacenter"]),
        description="x",
        declared_power_w=1,
        rack=rack,
        first_unit=1,
        height_u=1,
    )


def test_billings_suspension_flags_the_members_machines_and_restoration_clears_it(
    rack, housed, port
):
    from billing.models import Suspension
    from billing.services import dunning

    member, subscription = housed("alice")
    machine = _arrive(rack, 1, subscription=subscription)
    services.patch_port(machine, port, actor=None)
    association_machine = _arrive(rack, 2)
    with transaction.atomic():
        dunning.suspend_member(member, reason="test", manual=True)
    machine.refresh_from_db()
    association_machine.refresh_from_db()
    assert machine.suspended and not association_machine.suspended
    suspension = Suspension.objects.get(member=member)
    with transaction.atomic():
        dunning.end_suspension(suspension, message="paid")
    machine.refresh_from_db()
    assert not machine.suspended


def test_postgresql_refuses_a_machine_above_its_rack_and_a_rack_shrunk_under_one(rack):
    with pytest.raises(IntegrityError), transaction.atomic():
        HostedMachine.objects.create(
            description="too high",
            form="rack",
            rack=rack,
            first_unit=10,
            height_u=2,
            declared_power_w=1,
            arrived_on=date(2026, 2, 1),
        )
    _arrive(rack, 9, height_u=2)
    rack.height_u = 9
    with pytest.raises(IntegrityError), transaction.atomic():
        rack.save()


def test_postgresql_refuses_a_rack_or_shelf_over_its_power_budget_even_without_the_service(
    rack, shelf
):
    from datacenter.models import Rack, Shelf

    machine = _arrive(rack, 1, watts=400)  # the rack's budget is 500 W
    with pytest.raises(IntegrityError), transaction.atomic():
        HostedMachine.objects.filter(pk=machine.pk).update(measured_power_w=600)
    with pytest.raises(IntegrityError), transaction.atomic():
        _arrive_raw = HostedMachine(
            description="sneaked in",
            form="rack",
            rack=rack,
            first_unit=5,
            height_u=1,
            declared_power_w=200,
            arrived_on=date(2026, 2, 1),
        )
        _arrive_raw.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rack.objects.filter(pk=rack.pk).update(power_budget_w=300)
    on_shelf = services.arrive(
        actor=None, description="pi", declared_power_w=60, shelf=shelf, slot=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Shelf.objects.filter(pk=shelf.pk).update(power_budget_w=50)
    # A machine that left draws nothing; the budget may then be lowered.
    services.depart(on_shelf, actor=None)
    Shelf.objects.filter(pk=shelf.pk).update(power_budget_w=50)
    # Through the service the same refusal is a field error, not a 500.
    with pytest.raises(ValidationError) as error:
        services.set_power(machine, actor=None, declared_power_w=700)
    assert "declared_power_w" in error.value.message_dict


def test_a_machine_arriving_for_a_member_already_suspended_is_flagged_at_once(rack, housed):
    from netops import services as netops_services

    member, subscription = housed("late")
    netops_services.suspend_member(member)  # billing suspended them; no machine yet
    machine = _arrive(rack, 1, member=member, subscription=subscription)
    assert machine.suspended
    netops_services.restore_member(member)
    machine.refresh_from_db()
    assert not machine.suspended
    later = _arrive(rack, 2, member=member, subscription=subscription)
    assert not later.suspended


def test_a_machine_is_unpatched_and_unplugged_without_leaving(rack, port, outlet):
    machine = _arrive(rack, 1)
    services.patch_port(machine, port, actor=None)
    services.plug_outlet(machine, outlet, actor=None)
    other = _arrive(rack, 2)
    with pytest.raises(ValidationError) as error:
        services.unpatch_port(other, port, actor=None)
    assert "port" in error.value.message_dict
    services.unpatch_port(machine, port, actor=None)
    services.unplug_outlet(machine, outlet, actor=None)
    machine.refresh_from_db()
    assert machine.is_present and not machine.ports.exists() and not machine.outlets.exists()
    assert AuditEvent.objects.filter(object_id=str(port.pk), content_type__model="port").exists()
