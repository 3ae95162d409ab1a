"""The network pages' cases of the back-office matrix (test_matrix.py adds them to CASES).

Their objects (a pool, an allocation with a reverse DNS name, an endpoint whose host key
awaits confirmation, a finished job) are made on first use and kept on the test's world.
"""

from types import SimpleNamespace

from netops.ipam import services as ipam
from netops.ipam.choices import AllocationState
from netops.ipam.models import IPAllocation, IPPool, ReverseDNSRecord
from netops.provisioning import ssh
from netops.provisioning.choices import JobStatus
from netops.provisioning.models import Endpoint, ProvisioningJob

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


ENDPOINT_FORM = {
    "kind": "wireguard",
    "is_active": "on",
    "ssh_host": "127.0.0.1",
    "ssh_port": "1",
    "ssh_user": "coin",
    "config_dir": "/etc/wireguard",
    "reload_command": "true",
    "interface": "wg0",
    "route_via": "",
    "route_via_ipv6": "",
    "public_host": "vpn.example.net",
    "listen_port": "51820",
    "server_public_key": "",
    "client_dns": "",
    "openvpn_ca": "",
}


def net(world):
    """The network objects of ``world``, made the first time a case asks for them."""
    if getattr(world, "net", None) is None:
        pool = ipam.create_pool(
            actor=None,
            name="vpn-v4",
            prefix="198.51.100.0/24",
            purpose="vpn",
            default_prefix_length=32,
        )
        allocation = ipam.allocate(pool, actor=None, prefix="198.51.100.8/29", member=world.member)
        record = ipam.set_reverse_dns(allocation, "198.51.100.9", "old.example.org", actor=None)
        endpoint = Endpoint.objects.create(
            name="vpn1",
            kind="wireguard",
            ssh_host="127.0.0.1",
            ssh_port=1,
            public_host="vpn.example.net",
            reload_command="true",
            offered_host_key=HOST_KEY,
        )
        job = ProvisioningJob.objects.create(endpoint=endpoint, status=JobStatus.SUCCEEDED)
        world.net = SimpleNamespace(
            pool=pool, allocation=allocation, record=record, endpoint=endpoint, job=job
        )
    return world.net


def _state(world):
    return IPAllocation.objects.get(pk=net(world).allocation.pk).state


def network_cases(Case):
    """{page name: Case} for the network pages, built with test_matrix's Case."""
    return {
        "pool_list": Case("network"),
        "pool_detail": Case("network", args=lambda w: [net(w).pool.pk]),
        "pool_allocate": Case(
            "network",
            args=lambda w: [net(w).pool.pk],
            data=lambda w: {"prefix": "198.51.100.77/32", "member": w.member.username},
            done=lambda w: IPAllocation.objects.filter(
                prefix="198.51.100.77/32", member=w.member, state=AllocationState.ALLOCATED
            ).exists(),
        ),
        "allocation_list": Case("network"),
        "allocation_detail": Case("network", args=lambda w: [net(w).allocation.pk]),
        "allocation_release": Case(
            "network",
            args=lambda w: [net(w).allocation.pk],
            data=lambda w: {},
            done=lambda w: _state(w) == AllocationState.QUARANTINED,
        ),
        "allocation_set_rdns": Case(
            "network",
            args=lambda w: [net(w).allocation.pk],
            data=lambda w: {"address": "198.51.100.10", "hostname": "new.example.org"},
            done=lambda w: ReverseDNSRecord.objects.filter(hostname="new.example.org").exists(),
        ),
        "rdns_list": Case("network"),
        "rdns_zones": Case("network"),
        "rdns_edit": Case(
            "network",
            args=lambda w: [net(w).record.pk],
            data=lambda w: {"hostname": "Fixed.Example.org."},
            done=lambda w: (
                ReverseDNSRecord.objects.get(pk=net(w).record.pk).hostname == "fixed.example.org"
            ),
        ),
        "rdns_remove": Case(
            "network",
            args=lambda w: [net(w).record.pk],
            data=lambda w: {},
            done=lambda w: not ReverseDNSRecord.objects.filter(pk=net(w).record.pk).exists(),
        ),
        "endpoint_list": Case("network"),
        "endpoint_detail": Case("network", args=lambda w: [net(w).endpoint.pk]),
        # Posting would contact the endpoint: tests/backoffice/test_network_pages.py does it.
        "endpoint_fetch_host_key": Case("network", args=lambda w: [net(w).endpoint.pk]),
        "endpoint_confirm_host_key": Case(
            "network",
            args=lambda w: [net(w).endpoint.pk],
            data=lambda w: {"fingerprint": ssh.fingerprint(HOST_KEY)},
            done=lambda w: Endpoint.objects.get(pk=net(w).endpoint.pk).host_key == HOST_KEY,
        ),
        "endpoint_provision": Case(
            "network",
            args=lambda w: [net(w).endpoint.pk],
            data=lambda w: {},
            done=lambda w: ProvisioningJob.objects.filter(
                endpoint=net(w).endpoint, status=JobStatus.QUEUED
            ).exists(),
        ),
        "pool_add": Case(
            "network",
            data=lambda w: {
                "name": "dsl-v6",
                "prefix": "2001:db8:100::/48",
                "purpose": "dsl",
                "default_prefix_length": "56",
                "quarantine_days": "30",
                "priority": "0",
                "description": "",
                "reserved": "",
            },
            done=lambda w: IPPool.objects.filter(name="dsl-v6").exists(),
        ),
        "pool_edit": Case(
            "network",
            args=lambda w: [net(w).pool.pk],
            data=lambda w: {
                "name": "vpn-v4-main",
                "purpose": "vpn",
                "quarantine_days": "10",
                "priority": "1",
                "description": "Main VPN pool",
            },
            done=lambda w: IPPool.objects.get(pk=net(w).pool.pk).name == "vpn-v4-main",
        ),
        "endpoint_add": Case(
            "network",
            data=lambda w: {**ENDPOINT_FORM, "name": "vpn2"},
            done=lambda w: Endpoint.objects.filter(name="vpn2").exists(),
        ),
        "endpoint_edit": Case(
            "network",
            args=lambda w: [net(w).endpoint.pk],
            data=lambda w: {**ENDPOINT_FORM, "name": "vpn1", "listen_port": "51821"},
            done=lambda w: Endpoint.objects.get(pk=net(w).endpoint.pk).listen_port == 51821,
        ),
        "endpoint_check_drift": Case(
            "network",
            args=lambda w: [net(w).endpoint.pk],
            data=lambda w: {},
            # Nothing listens on 127.0.0.1:1: checked, and the page says it was not reached.
            done=lambda w: Endpoint.objects.get(pk=net(w).endpoint.pk).drift_checked_at is not None,
        ),
        "provisioning_job_list": Case("network"),
        "provisioning_job_detail": Case("network", args=lambda w: [net(w).job.pk]),
    }
