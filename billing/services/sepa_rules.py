"""SEPA Core rulebook rules for the pain.008 export: business days, sequence types, amendments.

Plain functions with no database writes; ``sepa.create_collection_batch`` applies them.
"""

import secrets
from datetime import date, timedelta

from lxml import etree

from ..choices import SepaSequence


def easter_sunday(year):
    """Easter Sunday of ``year`` in the Gregorian calendar (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def target2_closed(day):
    """True when TARGET2 is closed on ``day``: weekends, 1 January, Good Friday, Easter Monday,
    1 May, 25 and 26 December. SEPA collections settle on TARGET2 business days only.
    """
    if day.weekday() >= 5:
        return True
    if (day.month, day.day) in {(1, 1), (5, 1), (12, 25), (12, 26)}:
        return True
    easter = easter_sunday(day.year)
    return day in {easter - timedelta(days=2), easter + timedelta(days=1)}


def next_business_day(day):
    """The first TARGET2 business day on or after ``day``."""
    while target2_closed(day):
        day += timedelta(days=1)
    return day


def message_id(now):
    """A pain.008 MsgId: the creation time on a 24-hour clock, then 12 random characters.

    (sepaxml's own uses ``%I``, a 12-hour clock: 3 a.m. and 3 p.m. looked alike.)
    """
    return f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(6)}"


def sequence_for(mandate, *, final):
    """The sequence type of the next debit: OOFF for a one-off mandate; FNAL for the last
    collection of a recurrent mandate already used (``final``: the member left); FRST / RCUR.
    A final collection on a never-used mandate stays FRST (the rulebook allows no FNAL first).
    """
    sequence = mandate.next_sequence
    if final and sequence == SepaSequence.RECURRING:
        return SepaSequence.FINAL
    return sequence


def _child(parent, tag, text=None):
    element = etree.SubElement(parent, etree.QName(parent.nsmap[None], tag))
    if text is not None:
        element.text = text
    return element


def add_amendments(xml, amendments):
    """Insert amendment information into a pain.008.001.02 file.

    ``amendments`` maps an end-to-end id to its mandate; each such transaction gets
    ``AmdmntInd`` true and ``AmdmntInfDtls`` with the original mandate reference and, after an
    IBAN change, the original IBAN (same bank) or ``SMNDA`` (Same Mandate New Debtor Agent, the
    account moved to another bank), in the order the XSD wants. Returns the new bytes.
    """
    if not amendments:
        return xml
    tree = etree.fromstring(xml)
    ns = {"p": tree.nsmap[None]}
    for transaction in tree.iterfind(".//p:DrctDbtTxInf", ns):
        mandate = amendments.get(transaction.findtext("p:PmtId/p:EndToEndId", namespaces=ns))
        if mandate is None:
            continue
        related = transaction.find("p:DrctDbtTx/p:MndtRltdInf", ns)
        signed = related.find("p:DtOfSgntr", ns)
        indicator = etree.Element(etree.QName(ns["p"], "AmdmntInd"))
        indicator.text = "true"
        signed.addnext(indicator)
        details = etree.Element(etree.QName(ns["p"], "AmdmntInfDtls"))
        indicator.addnext(details)
        if mandate.amended_from_reference:
            _child(details, "OrgnlMndtId", mandate.amended_from_reference)
        if mandate.amended_from_iban:
            account = _child(_child(details, "OrgnlDbtrAcct"), "Id")
            if mandate.amended_bank:
                _child(_child(account, "Othr"), "Id", "SMNDA")
            else:
                _child(account, "IBAN", mandate.amended_from_iban)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
