"""Bank statement files written as French banks export them, for the bank import tests.

- CSV: cp1252, ``;``, decimal comma, separate "Débit" and "Crédit" columns (as
  Crédit Agricole or La Banque Postale export them), labels in upper case;
- OFX 1.0.2 (SGML, no closing tags for leaves, CHARSET 1252), with the RIB's
  bank code, branch code and account number;
- CAMT.053.001.02 with a batched entry (its transaction details) and a
  returned direct debit (PMNT/IDDT/UPDD, reason code in RtrInf), and a pending entry.
"""

from billing.models import BankCSVProfile

ASSOCIATION_IBAN = (
    "FR7630006000011234567890189"  # the association's (conftest): RIB 30006 00001 12345678901 89
)


def csv_profile():
    return BankCSVProfile.objects.create(
        name="Crédit Agricole (CSV)",
        delimiter=";",
        encoding="cp1252",
        skip_lines=0,
        date_column="Date",
        date_format="%d/%m/%Y",
        amount_column="",
        debit_column="Débit euros",
        credit_column="Crédit euros",
        label_column="Libellé",
        decimal_comma=True,
    )


def csv(rows):
    """rows: (dd/mm/yyyy, label, debit, credit) with French amounts ('1 234,56' or '')."""
    lines = ["Date;Libellé;Débit euros;Crédit euros"]
    lines += [f"{day};{label};{debit};{credit}" for day, label, debit, credit in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def ofx(transactions, *, bank="30006", branch="00001", account="12345678901"):
    """transactions: (yyyymmdd, amount '12.00' or '-12.00', fitid, name, memo)."""
    body = "".join(
        f"<STMTTRN><TRNTYPE>{'CREDIT' if not amount.startswith('-') else 'DEBIT'}"
        f"<DTPOSTED>{day}<TRNAMT>{amount}<FITID>{fitid}<NAME>{name}"
        + (f"<MEMO>{memo}" if memo else "")
        + "</STMTTRN>\n"
        for day, amount, fitid, name, memo in transactions
    )
    return (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
        "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
        "<OFX>\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        "<DTSERVER>20260430120000<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>\n"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        f"<STMTRS><CURDEF>EUR\n<BANKACCTFROM><BANKID>{bank}<BRANCHID>{branch}"
        f"<ACCTID>{account}<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        "<BANKTRANLIST><DTSTART>20260401<DTEND>20260430\n"
        f"{body}</BANKTRANLIST>\n<LEDGERBAL><BALAMT>5000.00<DTASOF>20260430</LEDGERBAL>\n"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n"
    ).encode("cp1252")


def camt_entry(
    amount,
    *,
    credit=True,
    day="2026-04-21",
    ref="",
    status="BOOK",
    code=None,
    details=(),
    batch=None,
    info="",
):
    """One <Ntry>; details: dicts with amount, name, e2e, text, reason, fee."""
    family = ""
    if code:
        domain, fam, sub = code
        family = (
            f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{fam}</Cd>"
            f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        )
    parts = []
    if batch:
        parts.append(
            f"<Btch><MsgId>{batch['msgid']}</MsgId><NbOfTxs>{batch['count']}</NbOfTxs></Btch>"
        )
    for detail in details:
        xml = "<TxDtls>"
        xml += f"<Refs><EndToEndId>{detail.get('e2e', 'NOTPROVIDED')}</EndToEndId></Refs>"
        if "amount" in detail:
            xml += f'<AmtDtls><TxAmt><Amt Ccy="EUR">{detail["amount"]}</Amt></TxAmt></AmtDtls>'
        if detail.get("fee"):
            xml += f'<Chrgs><Amt Ccy="EUR">{detail["fee"]}</Amt></Chrgs>'
        if detail.get("name"):
            role = "Dbtr" if credit else "Cdtr"
            xml += f"<RltdPties><{role}><Nm>{detail['name']}</Nm></{role}></RltdPties>"
        if detail.get("text"):
            xml += f"<RmtInf><Ustrd>{detail['text']}</Ustrd></RmtInf>"
        if detail.get("reason"):
            xml += (
                f"<RtrInf><Rsn><Cd>{detail['reason']}</Cd></Rsn>"
                "<AddtlInf>IMPAYE PRLV SEPA</AddtlInf></RtrInf>"
            )
        parts.append(xml + "</TxDtls>")
    details_xml = f"<NtryDtls>{''.join(parts)}</NtryDtls>" if parts else ""
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>'
        f"<Sts>{status}</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
        f"<AcctSvcrRef>{ref}</AcctSvcrRef>{family}{details_xml}"
        + (f"<AddtlNtryInf>{info}</AddtlNtryInf>" if info else "")
        + "</Ntry>"
    )


def camt053(entries, *, iban=ASSOCIATION_IBAN):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n'
        "<BkToCstmrStmt><GrpHdr><MsgId>CAMT053-20260430</MsgId>"
        "<CreDtTm>2026-04-30T06:00:00</CreDtTm></GrpHdr>\n"
        "<Stmt><Id>0001-2026-04</Id><CreDtTm>2026-04-30T06:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        + "\n".join(entries)
        + "\n</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()
