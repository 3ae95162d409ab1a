"""FreeRADIUS ``detail`` accounting records, parsed (a pure module: bytes in, records out).

The RADIUS servers write one text record per Accounting-Request (the
``coin_accounting`` module that :func:`netops.dsl.render.accounting_module`
renders): a header line, then ``<tab>Attribute = value`` lines, then an empty
line. The file is written by the server from what the LNS sends, so every value
is treated as hostile: records and values are capped, numbers must be digits,
and a record that does not parse is skipped, never half-applied.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_RECORD_BYTES = 16_000  # a real record is well under 1 KB
MAX_VALUE = 253  # a RADIUS attribute carries at most 253 bytes
MAX_DELAY_SECONDS = 3600
STATUSES = {"Start", "Interim-Update", "Alive", "Stop"}

_ATTRIBUTE = re.compile(rf"^\t([A-Za-z0-9-]{{1,64}}) = (.{{0,{MAX_VALUE + 2}}})$")
_NUMBER = re.compile(r"^[0-9]{1,20}$")


@dataclass(frozen=True)
class Record:
    """One accounting record of one PPP session."""

    status: str  # Start, Interim-Update (or Alive), Stop
    login: str
    session_id: str
    at: datetime  # when the LNS sent it (the server's time, minus the LNS's delay)
    session_time: int  # seconds since the session started, when the LNS says
    bytes_up: int  # sent by the line (Acct-Input-Octets and Gigawords)
    bytes_down: int  # received by the line (Acct-Output-*)
    terminate_cause: str = ""


def split_records(data):
    """(complete records as bytes, bytes consumed) of ``data``, a piece of a detail file.

    Only records followed by their empty line count: the rest (a record the server
    is still writing) is read again next time from the returned offset.
    """
    end = data.rfind(b"\n\n")
    if end < 0:
        return [], 0
    consumed = end + 2
    chunks = [chunk for chunk in data[:consumed].split(b"\n\n") if chunk.strip(b"\n")]
    return chunks, consumed


def _number(attributes, name):
    value = attributes.get(name, "0")
    return int(value) if _NUMBER.match(value) else 0


def _octets(attributes, prefix):
    return (_number(attributes, f"{prefix}-Gigawords") << 32) + _number(
        attributes, f"{prefix}-Octets"
    )


def parse_record(chunk):
    """The :class:`Record` of one detail record (bytes), or None if it is not a session's
    Start, Interim-Update or Stop, or does not parse."""
    if len(chunk) > MAX_RECORD_BYTES:
        return None
    text = chunk.decode("utf-8", errors="replace")
    attributes = {}
    for line in text.split("\n")[1:]:  # the first line is the header (a date)
        match = _ATTRIBUTE.match(line)
        if match:
            name, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            attributes.setdefault(name, value[:MAX_VALUE])
    status = attributes.get("Acct-Status-Type", "")
    login = attributes.get("User-Name", "")
    session_id = attributes.get("Acct-Session-Id", "")
    stamp = attributes.get("Timestamp", "")
    if status not in STATUSES or not login or not session_id or not _NUMBER.match(stamp):
        return None
    try:
        at = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    at -= timedelta(seconds=min(_number(attributes, "Acct-Delay-Time"), MAX_DELAY_SECONDS))
    cause = attributes.get("Acct-Terminate-Cause", "")
    return Record(
        status=status,
        login=login[:128],
        session_id=session_id[:64],
        at=at,
        session_time=min(_number(attributes, "Acct-Session-Time"), 10 * 365 * 86400),
        bytes_up=min(_octets(attributes, "Acct-Input"), 2**63 - 1),
        bytes_down=min(_octets(attributes, "Acct-Output"), 2**63 - 1),
        terminate_cause=cause[:40] if re.fullmatch(r"[A-Za-z0-9-]*", cause) else "",
    )


def parse(data):
    """(records, bytes consumed) of a piece of a detail file: every complete record that is a
    session's Start, Interim-Update or Stop, in file order."""
    chunks, consumed = split_records(data)
    records = [parse_record(chunk) for chunk in chunks]
    return [record for record in records if record is not None], consumed
