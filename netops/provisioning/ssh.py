"""SSH sessions to endpoints (paramiko): pinned host key, key auth only, timeouts.

coin never trusts a host key it has not been told to trust: the pinned key of
the endpoint is the only entry of the session's known hosts, and unknown keys
are rejected (never auto-added).
"""

import base64
import errno
import io
import logging
import posixpath
import shlex
import socket
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils.translation import gettext as _

TEMP_SUFFIX = ".coin-tmp"
log = logging.getLogger(__name__)


def describe(error):
    """A short reason for a network or SSH failure, in the reader's language.

    The operating system's own text ("[Errno -2] Name or service not known") is
    English and cryptic: it goes to the log, volunteers read the reason.
    """
    log.warning("SSH or network failure: %r", error)
    if isinstance(error, socket.gaierror):
        return _("the host name is unknown (check its spelling and the DNS)")
    if isinstance(error, ConnectionRefusedError):
        return _("the connection was refused (is SSH listening on that port?)")
    if isinstance(error, (TimeoutError, socket.timeout)):
        return _("no answer in time (host down or filtered?)")
    if isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return _("the host cannot be reached from here (no route)")
    if isinstance(error, EOFError | paramiko.SSHException):
        return _("the SSH session was interrupted")
    return _("a network error occurred (details in the server log)")


class ProvisioningError(Exception):
    """The endpoint cannot be provisioned; the message is for volunteers."""


class EndpointUnreachable(ProvisioningError):
    """The network or sshd failed: worth retrying later."""


class HostKeyNotConfirmed(ProvisioningError):
    """No pinned key yet: a volunteer must confirm the fingerprint first."""


class HostKeyMismatch(ProvisioningError):
    """The endpoint presented a key other than the pinned one: stop, it may be an impostor."""

    def __init__(self, message, offered_key):
        super().__init__(message)
        self.offered_key = offered_key


class CommandFailed(ProvisioningError):
    """A remote command exited with a non-zero status."""


def command_line(*args):
    """A shell command line running ``args`` as they are: every argument quoted (shlex), so a value
    such as an interface name can never add a command, a redirection or a second line."""
    return shlex.join(str(arg) for arg in args)


def client_key():
    """coin's SSH private key (Ed25519), generated into COIN_SSH_KEY_FILE on first use."""
    path = Path(settings.COIN_SSH_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    return paramiko.Ed25519Key.from_private_key_file(str(path))


def client_public_key():
    """The line to put in an endpoint's authorized_keys."""
    key = client_key()
    return f"{key.get_name()} {key.get_base64()} coin@{settings.COIN_ISP_NAME}"


def parse_host_key(line):
    """A paramiko key from ``"ssh-ed25519 AAAA..."``."""
    key_type, data = line.split()[:2]
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(data))


def fingerprint(line):
    """The SHA256 fingerprint of a host key line, as ``ssh-keygen -l`` prints it."""
    return parse_host_key(line).fingerprint


def _known_name(host, port):
    return host if port == 22 else f"[{host}]:{port}"


def fetch_host_key(host, port, timeout=None):
    """The host key a server presents, as ``"type base64"``; no authentication is attempted."""
    timeout = timeout or settings.COIN_SSH_TIMEOUT
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        raise EndpointUnreachable(
            _("Cannot reach %(host)s port %(port)s: %(error)s")
            % {"host": host, "port": port, "error": describe(error)}
        ) from error
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()
        return f"{key.get_name()} {key.get_base64()}"
    except (paramiko.SSHException, OSError) as error:
        raise EndpointUnreachable(
            _("SSH failed on %(host)s port %(port)s: %(error)s")
            % {"host": host, "port": port, "error": describe(error)}
        ) from error
    finally:
        transport.close()


class Session:
    """One SSH connection to an endpoint, used as a context manager."""

    def __init__(self, endpoint, timeout=None):
        self.endpoint = endpoint
        self.timeout = timeout or settings.COIN_SSH_TIMEOUT
        self.client = None
        self._sftp = None
        self._made_directories = set()

    def __enter__(self):
        endpoint = self.endpoint
        if not endpoint.host_key:
            raise HostKeyNotConfirmed(
                _(
                    "The host key of %(endpoint)s is not confirmed yet: check its fingerprint and confirm it."
                )
                % {"endpoint": endpoint}
            )
        client = paramiko.SSHClient()
        pinned = parse_host_key(endpoint.host_key)
        client.get_host_keys().add(
            _known_name(endpoint.ssh_host, endpoint.ssh_port), pinned.get_name(), pinned
        )
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(
                endpoint.ssh_host,
                port=endpoint.ssh_port,
                username=endpoint.ssh_user,
                pkey=client_key(),
                allow_agent=False,
                look_for_keys=False,
                timeout=self.timeout,
                banner_timeout=self.timeout,
                auth_timeout=self.timeout,
                channel_timeout=self.timeout,
            )
        except paramiko.BadHostKeyException as error:
            client.close()
            offered = f"{error.key.get_name()} {error.key.get_base64()}"
            raise HostKeyMismatch(
                _(
                    "%(endpoint)s presented the host key %(offered)s instead of the pinned %(pinned)s: "
                    "provisioning stopped. If the server was reinstalled, confirm the new key; "
                    "otherwise investigate."
                )
                % {
                    "endpoint": endpoint,
                    "offered": error.key.fingerprint,
                    "pinned": pinned.fingerprint,
                },
                offered,
            ) from error
        except paramiko.AuthenticationException as error:
            client.close()
            raise ProvisioningError(
                _(
                    "%(endpoint)s refused coin's SSH key for user %(user)s: "
                    "add coin's public key to its authorized_keys."
                )
                % {"endpoint": endpoint, "user": endpoint.ssh_user}
            ) from error
        except (paramiko.SSHException, OSError, EOFError) as error:
            client.close()
            raise EndpointUnreachable(
                _("Cannot connect to %(endpoint)s (%(host)s port %(port)s): %(error)s")
                % {
                    "endpoint": endpoint,
                    "host": endpoint.ssh_host,
                    "port": endpoint.ssh_port,
                    "error": describe(error),
                }
            ) from error
        self.client = client
        return self

    def __exit__(self, *exc):
        if self._sftp is not None:
            self._sftp.close()
        self.client.close()
        return False

    @property
    def sftp(self):
        if self._sftp is None:
            self._sftp = self.client.open_sftp()
        return self._sftp

    def run(self, command, check=True):
        """Run a shell command; return (exit status, combined output).

        CommandFailed on non-zero if ``check``.
        """
        try:
            _stdin, stdout, _stderr = self.client.exec_command(
                command, timeout=self.timeout * 6, get_pty=False
            )
            stdout.channel.set_combine_stderr(True)
            output = stdout.read().decode(errors="replace")
            status = stdout.channel.recv_exit_status()
        except (paramiko.SSHException, OSError, EOFError) as error:
            raise EndpointUnreachable(
                _("The connection to %(endpoint)s broke: %(error)s")
                % {"endpoint": self.endpoint, "error": describe(error)}
            ) from error
        if check and status != 0:
            raise CommandFailed(
                _("“%(command)s” failed on %(endpoint)s (exit status %(status)s): %(output)s")
                % {
                    "command": command,
                    "endpoint": self.endpoint,
                    "status": status,
                    "output": output.strip()[-2000:],
                }
            )
        return status, output

    def hashes(self, directory):
        """{relative path: sha256} of every file under ``directory`` (created if missing)."""
        quoted = shlex.quote(directory)
        command = (
            f"mkdir -p {quoted} && cd {quoted} && "
            f"find . -type f ! -name '*{TEMP_SUFFIX}' -print0 | sort -z | xargs -0 -r sha256sum"
        )
        _status, output = self.run(command)
        result = {}
        for line in output.splitlines():
            digest, _sep, path = line.partition("  ")
            if path.startswith("./"):
                result[path[2:]] = digest
        return result

    def put_atomic(self, path, content, mode=0o600):
        """Write ``content`` to ``path``: to a temporary name first, then renamed over it, so
        the endpoint never reads a half-written file."""
        directory = posixpath.dirname(path)
        self._makedirs(directory)
        temporary = f"{path}{TEMP_SUFFIX}"
        try:
            self.sftp.putfo(io.BytesIO(content), temporary, confirm=True)
            self.sftp.chmod(temporary, mode)
            self.sftp.posix_rename(temporary, path)
        except (OSError, paramiko.SSHException, EOFError) as error:
            raise EndpointUnreachable(
                _("Writing %(path)s on %(endpoint)s failed: %(error)s")
                % {"path": path, "endpoint": self.endpoint, "error": describe(error)}
            ) from error

    def remove(self, path):
        """Delete a file on the endpoint (already gone is fine)."""
        try:
            self.sftp.remove(path)
        except FileNotFoundError:
            pass
        except (OSError, paramiko.SSHException, EOFError) as error:
            raise EndpointUnreachable(
                _("Removing %(path)s on %(endpoint)s failed: %(error)s")
                % {"path": path, "endpoint": self.endpoint, "error": describe(error)}
            ) from error

    def _makedirs(self, directory):
        if directory not in self._made_directories:
            self.run(command_line("mkdir", "-p", directory))
            self._made_directories.add(directory)
