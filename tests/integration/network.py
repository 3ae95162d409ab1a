"""A real virtual network for provisioning tests: namespaces, veth pairs, sshd, wireguard-go.

    coin (this host) --mgmt 203.0.113.N/30-- endpoint ns (sshd, wireguard-go)
                                              | 203.0.113.0/30, 2001:db8:ffff::/64
                                           core ns (router, "internet" 203.0.113.254)
                                              | 203.0.113.4/30
                                           member ns (wireguard-go client)

Traffic stays inside namespaces this module creates (and the host side of the
management link); :meth:`TestNetwork.destroy` removes them all.
"""

import fcntl
import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

WG_ENV = dict(os.environ, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD="1")

CORE_TO_ENDPOINT, ENDPOINT_TO_CORE = "203.0.113.1", "203.0.113.2"
CORE_TO_ENDPOINT6, ENDPOINT_TO_CORE6 = "2001:db8:ffff::1", "2001:db8:ffff::2"
CORE_TO_MEMBER, MEMBER_TO_CORE = "203.0.113.5", "203.0.113.6"
INTERNET = "203.0.113.254"  # an address on the core router standing for "the Internet"
INTERNET6 = "2001:db8:ffff:ffff::1"


def sh(*args, check=True, netns=None, env=None, **kwargs):
    """Run a command (in a namespace if given); return its stdout."""
    command = (["ip", "netns", "exec", netns] if netns else []) + [str(a) for a in args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stdout}{result.stderr}"
        )
    return result.stdout


@contextmanager
def _host_routes_lock():
    """Held while a test network picks and routes its management /30 on this host: test
    processes running at once (pytest-xdist workers, other runs) would otherwise pick the
    same free /30 between one's check and its ``ip addr add``."""
    with open("/run/lock/coin-test-network.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def remove_stale_networks():
    """Remove the namespaces and links left by test runs whose process is gone (killed runs)."""
    for line in subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True
    ).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        prefix, _, tag = name.rpartition("-")
        if prefix not in ("coin-core", "coin-ep", "coin-mbr") or not tag.isdigit():
            continue
        if Path(f"/proc/{tag}").exists():
            continue  # a run in progress (or a reused pid: left alone, never harmful)
        stale = TestNetwork.__new__(TestNetwork)
        stale.sshd = None
        stale.core, stale.endpoint, stale.member = (
            f"coin-core-{tag}",
            f"coin-ep-{tag}",
            f"coin-mbr-{tag}",
        )
        stale.mgmt_if, stale.wg_endpoint_if, stale.wg_member_if = (
            f"cmg{tag}",
            f"cwe{tag}",
            f"cwm{tag}",
        )
        stale.destroy()


class TestNetwork:
    """The three namespaces, the endpoint's sshd and WireGuard interface; ``build()`` then ``destroy()``."""

    __test__ = False  # not a test class

    def __init__(self, workdir):
        tag = f"{os.getpid()}"
        self.workdir = Path(workdir)
        self.core, self.endpoint, self.member = (
            f"coin-core-{tag}",
            f"coin-ep-{tag}",
            f"coin-mbr-{tag}",
        )
        self.mgmt_if = f"cmg{tag}"
        self.wg_endpoint_if, self.wg_member_if = f"cwe{tag}", f"cwm{tag}"
        self.sshd = None
        self.ssh_port = 22
        self.config_dir = self.workdir / "endpoint-etc-coin"
        self.host_key = self.workdir / "ssh_host_ed25519_key"
        self.mgmt_net = self.mgmt_host = self.mgmt_endpoint = None

    # -- building ---------------------------------------------------------------------------
    def build(self, authorized_key):
        remove_stale_networks()
        self.destroy()  # leftovers of an interrupted run
        with _host_routes_lock():  # until our /30 is routed: other test processes skip it
            self._pick_management_link()
            self.workdir.mkdir(parents=True, exist_ok=True)
            for ns in (self.core, self.endpoint, self.member):
                sh("ip", "netns", "add", ns)
                sh("ip", "link", "set", "lo", "up", netns=ns)
            self._veth(
                self.mgmt_if,
                None,
                f"{self.mgmt_host}/30",
                "mgmt0",
                self.endpoint,
                f"{self.mgmt_endpoint}/30",
            )
        self._veth(
            "to-ep",
            self.core,
            f"{CORE_TO_ENDPOINT}/30",
            "to-core",
            self.endpoint,
            f"{ENDPOINT_TO_CORE}/30",
        )
        sh(
            "ip",
            "-6",
            "addr",
            "add",
            f"{CORE_TO_ENDPOINT6}/64",
            "dev",
            "to-ep",
            "nodad",
            netns=self.core,
        )
        sh(
            "ip",
            "-6",
            "addr",
            "add",
            f"{ENDPOINT_TO_CORE6}/64",
            "dev",
            "to-core",
            "nodad",
            netns=self.endpoint,
        )
        self._veth(
            "to-mbr",
            self.core,
            f"{CORE_TO_MEMBER}/30",
            "to-core",
            self.member,
            f"{MEMBER_TO_CORE}/30",
        )
        sh("ip", "addr", "add", f"{INTERNET}/32", "dev", "lo", netns=self.core)
        sh("ip", "-6", "addr", "add", f"{INTERNET6}/128", "dev", "lo", netns=self.core)
        for ns in (self.core, self.endpoint):
            sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", netns=ns)
            sh("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1", netns=ns)
        sh("ip", "route", "add", "default", "via", CORE_TO_ENDPOINT, netns=self.endpoint)
        sh("ip", "-6", "route", "add", "default", "via", CORE_TO_ENDPOINT6, netns=self.endpoint)
        sh("ip", "route", "add", "default", "via", CORE_TO_MEMBER, netns=self.member)
        self._endpoint_wireguard()
        self._write_sshd_config(authorized_key)
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.host_key)
        self.start_sshd()
        return self

    def _pick_management_link(self):
        """The host side of the management link: a /30 of 203.0.113.8-247 that this host does not
        route yet (tried from an offset by process, so two runs on one machine do not collide)."""
        slots = 60
        for step in range(slots):
            base = 8 + 4 * ((os.getpid() + step) % slots)
            host, endpoint = f"203.0.113.{base + 1}", f"203.0.113.{base + 2}"
            routes = sh("ip", "route", "show", "match", host).strip().splitlines()
            if all(line.startswith("default") for line in routes):
                self.mgmt_net, self.mgmt_host, self.mgmt_endpoint = (
                    f"203.0.113.{base}/30",
                    host,
                    endpoint,
                )
                return
        raise AssertionError(
            "this host already routes every /30 of 203.0.113.8-247: no room for the test network"
        )

    def _veth(self, left, left_ns, left_addr, right, right_ns, right_addr):
        tmp = f"tmp{os.getpid()}"
        sh("ip", "link", "add", tmp, "type", "veth", "peer", "name", f"{tmp}p")
        for name, ns, final, addr in (
            (tmp, left_ns, left, left_addr),
            (f"{tmp}p", right_ns, right, right_addr),
        ):
            if ns:
                sh("ip", "link", "set", name, "netns", ns)
            sh("ip", "link", "set", name, "name", final, netns=ns)
            sh("ip", "addr", "add", addr, "dev", final, netns=ns)
            sh("ip", "link", "set", final, "up", netns=ns)

    def _endpoint_wireguard(self):
        private = sh("wg", "genkey").strip()
        self.server_public_key = sh("wg", "pubkey", input=private).strip()
        key_file = self.workdir / "endpoint-wg.key"
        key_file.write_text(private + "\n")
        key_file.chmod(0o600)
        sh("wireguard-go", self.wg_endpoint_if, netns=self.endpoint, env=WG_ENV)
        sh(
            "wg",
            "set",
            self.wg_endpoint_if,
            "private-key",
            key_file,
            "listen-port",
            "51820",
            netns=self.endpoint,
        )
        # The concentrator's own static set-up (not coin's): the pools routed into the tunnel interface.
        sh("ip", "addr", "add", "198.51.100.1/24", "dev", self.wg_endpoint_if, netns=self.endpoint)
        sh(
            "ip",
            "-6",
            "addr",
            "add",
            "2001:db8:100::ffff/40",
            "dev",
            self.wg_endpoint_if,
            "nodad",
            netns=self.endpoint,
        )
        sh("ip", "link", "set", self.wg_endpoint_if, "up", netns=self.endpoint)

    def _write_sshd_config(self, authorized_key):
        (self.workdir / "authorized_keys").write_text(authorized_key + "\n")
        (self.workdir / "sshd_config").write_text(
            "\n".join(
                [
                    f"ListenAddress {self.mgmt_endpoint}",
                    f"Port {self.ssh_port}",
                    f"HostKey {self.host_key}",
                    f"PidFile {self.workdir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.workdir / 'authorized_keys'}",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "Subsystem sftp internal-sftp",
                    "",
                ]
            )
        )

    # -- sshd ----------------------------------------------------------------------------------
    def start_sshd(self):
        Path("/run/sshd").mkdir(exist_ok=True)
        self.sshd = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.endpoint,
                shutil.which("sshd") or "/usr/sbin/sshd",
                "-D",
                "-e",
                "-f",
                self.workdir / "sshd_config",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.workdir / "sshd.log", "a"),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if sh("ss", "-Htln", f"sport = :{self.ssh_port}", netns=self.endpoint).strip():
                return
            assert self.sshd.poll() is None, (self.workdir / "sshd.log").read_text()
            time.sleep(0.05)
        raise AssertionError("sshd did not start")

    def stop_sshd(self):
        if self.sshd is not None:
            self.sshd.terminate()
            self.sshd.wait(timeout=10)
            self.sshd = None

    def change_host_key(self):
        """Replace the endpoint's host key (as a reinstalled server, or an impostor, would)."""
        self.stop_sshd()
        self.host_key.unlink()
        Path(f"{self.host_key}.pub").unlink()
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.host_key)
        self.start_sshd()

    def host_key_fingerprint(self):
        """What ``ssh-keygen -lf`` prints on the server's console: the fingerprint a volunteer checks."""
        return sh("ssh-keygen", "-lf", f"{self.host_key}.pub").split()[1]

    # -- the member's side ---------------------------------------------------------------------
    def bring_up_member_tunnel(self, config_text):
        """Configure the member host from a downloaded wg-quick file, as wg-quick would (routes to the
        "Internet" address only, so the underlay keeps working)."""
        addresses, wg_lines = [], []
        for line in config_text.splitlines():
            key = line.split("=", 1)[0].strip()
            if key == "Address":
                addresses = [a.strip() for a in line.split("=", 1)[1].split(",")]
            elif key not in ("DNS",):
                wg_lines.append(line)
        conf = self.workdir / "member-wg.conf"
        conf.write_text("\n".join(wg_lines) + "\n")
        conf.chmod(0o600)
        sh("wireguard-go", self.wg_member_if, netns=self.member, env=WG_ENV)
        sh("wg", "setconf", self.wg_member_if, conf, netns=self.member)
        for address in addresses:
            sh(
                "ip",
                "addr",
                "add",
                address,
                "dev",
                self.wg_member_if,
                *(["nodad"] if ":" in address else []),
                netns=self.member,
            )
        sh("ip", "link", "set", self.wg_member_if, "up", netns=self.member)
        sh("ip", "route", "add", f"{INTERNET}/32", "dev", self.wg_member_if, netns=self.member)
        sh(
            "ip",
            "-6",
            "route",
            "add",
            f"{INTERNET6}/128",
            "dev",
            self.wg_member_if,
            netns=self.member,
        )
        return addresses

    def ping_from_internet(self, address):
        """True when ``address`` answers pings sent from the core router's "Internet" address."""
        source = INTERNET6 if ":" in address else INTERNET
        result = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.core,
                "ping",
                "-c",
                "3",
                "-i",
                "0.3",
                "-W",
                "2",
                "-I",
                source,
                address,
            ],
            capture_output=True,
            text=True,
        )
        return result.returncode == 0

    def core_routes(self, family="-4"):
        return sh("ip", family, "route", "show", netns=self.core)

    def endpoint_peers(self):
        """{public key: allowed ips} as the endpoint's WireGuard interface has them."""
        dump = sh("wg", "show", self.wg_endpoint_if, "allowed-ips", netns=self.endpoint)
        return {line.split("\t")[0]: line.split("\t")[1] for line in dump.splitlines() if line}

    # -- OpenVPN -------------------------------------------------------------------------------
    def start_openvpn_server(
        self, config_dir, pki, server_address="192.0.2.1", netmask="255.255.255.0"
    ):
        """An OpenVPN server in the endpoint namespace using the files coin provisions in
        ``config_dir`` (ccd/, users, check-password); its own static part is written here."""
        self.ovpn_server_if = f"coe{os.getpid()}"
        conf = self.workdir / "openvpn-server.conf"
        conf.write_text(
            "\n".join(
                [
                    "mode server",
                    "tls-server",
                    "proto udp4",
                    f"local {ENDPOINT_TO_CORE}",
                    "port 1194",
                    f"dev {self.ovpn_server_if}",
                    "dev-type tun",
                    "topology subnet",
                    f"ifconfig {server_address} {netmask}",
                    'push "topology subnet"',
                    f'push "route-gateway {server_address}"',
                    f"ca {pki['ca']}",
                    f"cert {pki['cert']}",
                    f"key {pki['key']}",
                    "dh none",
                    f"client-config-dir {config_dir}/ccd",
                    "ccd-exclusive",
                    "script-security 2",
                    f"auth-user-pass-verify {config_dir}/check-password via-file",
                    "username-as-common-name",
                    "verify-client-cert none",
                    "keepalive 2 10",
                    f"writepid {self.workdir / 'openvpn-server.pid'}",
                    f"log {self.workdir / 'openvpn-server.log'}",
                    "daemon",
                    "",
                ]
            )
        )
        sh("openvpn", "--config", conf, netns=self.endpoint)

    def bring_up_openvpn_client(self, ovpn_text, username, password, timeout=30):
        """Run the member's OpenVPN client from the downloaded .ovpn; return its tunnel address."""
        self.ovpn_member_if = f"com{os.getpid()}"
        (self.workdir / "member.ovpn").write_text(ovpn_text)
        credentials = self.workdir / "member-credentials"
        credentials.write_text(f"{username}\n{password}\n")
        credentials.chmod(0o600)
        log = self.workdir / "openvpn-member.log"
        sh(
            "openvpn",
            "--config",
            self.workdir / "member.ovpn",
            "--auth-user-pass",
            credentials,
            "--dev",
            self.ovpn_member_if,
            "--dev-type",
            "tun",
            "--route",
            INTERNET,
            "255.255.255.255",
            "--log",
            log,
            "--daemon",
            netns=self.member,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = subprocess.run(
                [
                    "ip",
                    "netns",
                    "exec",
                    self.member,
                    "ip",
                    "-4",
                    "-o",
                    "addr",
                    "show",
                    "dev",
                    self.ovpn_member_if,
                ],
                capture_output=True,
                text=True,
            ).stdout
            if "inet " in out and "Initialization Sequence Completed" in (
                log.read_text() if log.exists() else ""
            ):
                return out.split("inet ")[1].split("/")[0]
            time.sleep(0.2)
        raise AssertionError(
            "the OpenVPN client did not connect: " + (log.read_text() if log.exists() else "no log")
        )

    # -- teardown -----------------------------------------------------------------------------
    def destroy(self):
        self.stop_sshd()
        for ns in (self.core, self.endpoint, self.member):
            pids = subprocess.run(
                ["ip", "netns", "pids", ns], capture_output=True, text=True
            ).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", self.mgmt_if], capture_output=True)
        for name in (self.wg_endpoint_if, self.wg_member_if):
            Path(f"/var/run/wireguard/{name}.sock").unlink(missing_ok=True)
