"""Owner-only files: what coin writes under ``var/`` is readable by its own user only.

``var/`` holds the SQLite database (password hashes, TOTP seeds, IBANs), invoice PDFs,
the generated secret keys and the Celery queue. Entry points call :func:`restrict_umask`
so that every file a process creates there starts owner-only, whoever creates it
(SQLite, Celery, WeasyPrint); the directories coin makes itself get explicit modes too,
so a lax umask inherited by a test or a shell cannot widen them.
"""

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def restrict_umask():
    """Make files and directories this process creates from now on owner-only (umask 077)."""
    os.umask(PRIVATE_UMASK)


def private_directory(path):
    """Create ``path`` and its missing parents as 0700 and return it.

    A directory that already exists and belongs to this user is narrowed to 0700: it fixes
    a ``var/`` made world-readable by an older version. One owned by another user (an
    operator's choice) is left as it is.
    """
    path = Path(path)
    missing = [path, *(parent for parent in path.parents if not parent.exists())]
    # mkdir(parents=True) would give the parents the umask's mode: make each one here.
    for directory in sorted(set(missing), key=lambda item: len(item.parts)):
        directory.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    info = path.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def write_private_file(path, text):
    """Create ``path`` holding ``text``, mode 0600 from its first byte.

    Raises :class:`FileExistsError` if it exists. Atomic: a process that reads ``path``
    sees the whole text or no file, never a half-written one.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        os.link(temporary, path)  # fails, rather than replaces, if another process won
    finally:
        temporary.unlink()
