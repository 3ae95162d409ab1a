"""A real FreeRADIUS server for the DSL tests, from a copy of Debian's /etc/freeradius/3.0.

It runs in the foreground (``freeradius -X``) inside a namespace of the test network,
as the process that starts it (no switch to the ``freerad`` user), listening on
127.0.0.1 of that namespace on a free port. Its users file includes the file coin
provisions over SSH (``COIN_DIR/users``); the ``radius-reload`` script coin writes
beside it runs ``radmin -e 'hup files'`` through the control socket, which makes it
read that file again.

Accounting goes to coin's own ``detail`` module (``coin_accounting``, the file
coin renders as ``COIN_DIR/accounting``), linked into ``mods-enabled`` and called
from the ``accounting`` section as ``-coin_accounting`` (skipped until coin has
written it; :meth:`FreeRadius.restart` then loads it), as docs/dsl.md tells an
administrator to do. Debian's own ``detail`` and ``unix`` accounting are left out
(they would write under /var/log).
"""

import re
import shutil
import subprocess
import time
from pathlib import Path

from .network import sh

SECRET = "testing123"  # the secret of Debian's "localhost" client (clients.conf)


def _listen_blocks(text, keep):
    """``text`` with its top-level ``listen { ... }`` sections dropped, except those ``keep`` maps
    (by position) to a function rewriting them."""
    lines, out, index, position = text.splitlines(keepends=True), [], 0, 0
    while index < len(lines):
        if not re.match(r"^listen\s*\{", lines[index]):
            out.append(lines[index])
            index += 1
            continue
        depth, block = 0, []
        while True:
            code = lines[index].split("#", 1)[0]
            block.append(lines[index])
            depth += code.count("{") - code.count("}")
            index += 1
            if depth == 0:
                break
        if position in keep:
            out.append(keep[position]("".join(block)))
        position += 1
    return "".join(out)


def _on_port(port):
    def rewrite(block):
        return block.replace("ipaddr = *", "ipaddr = 127.0.0.1").replace(
            "port = 0", f"port = {port}"
        )

    return rewrite


class FreeRadius:
    """``prepare()``, ``start()``, ``request(...)``, ``stop()``; in namespace ``netns``."""

    def __init__(self, workdir, netns):
        self.workdir = Path(workdir)
        self.netns = netns
        self.raddb = self.workdir / "raddb"
        self.coin_dir = self.raddb / "coin"  # the endpoint's config_dir: coin owns it
        self.socket = self.workdir / "radiusd-control.sock"
        self.log = self.workdir / "radiusd.log"
        self.accounting_file = self.workdir / "accounting" / "detail"
        self.process = None
        self.port = None

    @property
    def reload_command(self):
        return f"{self.coin_dir}/radius-reload -f {self.socket}"

    def prepare(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        shutil.copytree("/etc/freeradius/3.0", self.raddb, symlinks=True)
        self.port = int(
            sh(
                "python3",
                "-c",
                "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                "s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
                netns=self.netns,
            )
        )
        conf = self.raddb / "radiusd.conf"
        conf.write_text(re.sub(r"(?m)^(\s*)(user|group) = ", r"\1# \2 = ", conf.read_text()))
        # Authentication and accounting on 127.0.0.1 only, on our ports; no IPv6 listener, no
        # inner-tunnel listener (its fixed port would clash between test processes).
        site = self.raddb / "sites-enabled" / "default"
        site.unlink()
        text = _listen_blocks(
            (self.raddb / "sites-available" / "default").read_text(),
            {0: _on_port(self.port), 1: _on_port(self.port + 1)},
        )
        head, accounting = text.split("\naccounting {\n", 1)
        accounting = accounting.replace("\n\tdetail\n", "\n\t-coin_accounting\n", 1)
        accounting = accounting.replace("\n\tunix\n", "\n", 1)
        site.write_text(f"{head}\naccounting {{\n{accounting}")
        inner = self.raddb / "sites-enabled" / "inner-tunnel"
        inner.unlink()
        inner.write_text(
            _listen_blocks((self.raddb / "sites-available" / "inner-tunnel").read_text(), {})
        )
        (self.raddb / "sites-enabled" / "control-socket").write_text(
            f"listen {{\n\ttype = control\n\tsocket = {self.socket}\n\tmode = rw\n}}\n"
        )
        authorize = self.raddb / "mods-config" / "files" / "authorize"
        authorize.write_text(f"$INCLUDE {self.coin_dir}/users\n" + authorize.read_text())
        # The server's own set-up before coin's first run: empty included files.
        self.coin_dir.mkdir()
        (self.coin_dir / "users").write_text("")
        (self.coin_dir / "accounting").write_text("")
        (self.raddb / "mods-enabled" / "coin_accounting").symlink_to(self.coin_dir / "accounting")
        return self

    def start(self):
        self.process = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.netns,
                "freeradius",
                "-X",
                "-d",
                self.raddb,
                "-l",
                "stdout",
            ],
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while "Ready to process requests" not in self.log.read_text():
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "FreeRADIUS did not start"
            time.sleep(0.1)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self):
        """Stop and start again (what loads a new module: a HUP does not)."""
        self.stop()
        self.log.write_text("")
        return self.start()

    def account(self, login, status, session_id, **attributes):
        """Send an Accounting-Request (as an LNS does) and return True when it was answered."""
        lines = [
            f'User-Name = "{login}"',
            f"Acct-Status-Type = {status}",
            f'Acct-Session-Id = "{session_id}"',
            "NAS-IP-Address = 127.0.0.1",
            *(f"{name.replace('_', '-')} = {value}" for name, value in attributes.items()),
        ]
        result = subprocess.run(
            ["ip", "netns", "exec", self.netns, "radclient", "-r", "1", "-t", "3"]
            + [f"127.0.0.1:{self.port + 1}", "acct", SECRET],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
        )
        return "Accounting-Response" in result.stdout + result.stderr

    def request(self, login, password):
        """(reply code, {attribute: [values]}) of an Access-Request, as radclient prints them."""
        quoted = password.replace("\\", "\\\\").replace('"', '\\"')
        result = subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.netns,
                "radclient",
                "-x",
                "-r",
                "1",
                "-t",
                "3",
                f"127.0.0.1:{self.port}",
                "auth",
                SECRET,
            ],
            input=f'User-Name = "{login}"\nUser-Password = "{quoted}"\n',
            capture_output=True,
            text=True,
        )
        output = result.stdout + result.stderr
        match = re.search(r"Received (Access-\w+)", output)
        assert match, f"no reply from FreeRADIUS: {output}"
        attributes = {}
        for name, value in re.findall(r"(?m)^\s+([\w-]+) = (.*)$", output.split("Received", 1)[1]):
            attributes.setdefault(name, []).append(value.strip('"'))
        return match.group(1), attributes
