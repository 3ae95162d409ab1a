"""Bank statements: CSV (French format), OFX, CAMT.053; re-import records nothing twice; clear errors."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.choices import BankLineStatus
from billing.models import BankCSVProfile, BankLine, BankStatement, Payment


@pytest.fixture
def profile(db):
    return BankCSVProfile.objects.create(
        name="Crédit Coopératif",
        delimiter=";",
        date_column="Date",
        date_format="%d/%m/%Y",
        amount_column="Montant",
        label_column="Libellé",
        reference_column="Référence",
        decimal_comma=True,
    )


@pytest.fixture
def invoices(make_member, issued_invoice):
    alice = make_member("alice", first_name="Élodie", last_name="Lefèvre")
    bob = make_member("bob", first_name="Bob", last_name="Marchand")
    return {
        "alice": issued_invoice(alice, "1234.56"),  # 2026-000001
        "bob": issued_invoice(bob, "32.00"),  # 2026-000002
    }


CSV = (
    "Date;Libellé;Référence;Montant\n"
    "02/04/2026;VIR SEPA ELODIE LEFEVRE;FACTURE 2026-000001;1 234,56\n"
    "03/04/2026;VIR M BOB MARCHAND;COTISATION;32,00\n"
    "03/04/2026;PRLV EDF;;-45,10\n"
    "04/04/2026;VIR INCONNU;DON;10,00\n"
)


def test_a_csv_statement_is_imported_and_matched(invoices, profile):
    result = services.import_statement(
        CSV.encode(), actor=None, filename="avril.csv", format="csv", profile=profile
    )
    assert (result.line_count, result.new_count, result.matched_count) == (4, 4, 2)
    for invoice in invoices.values():
        invoice.refresh_from_db()
        assert invoice.is_settled
    by_label = {line.label: line for line in BankLine.objects.all()}
    assert by_label["VIR SEPA ELODIE LEFEVRE"].amount == Decimal(
        "1234.56"
    )  # French decimal comma, spaces
    assert by_label["VIR M BOB MARCHAND"].status == BankLineStatus.MATCHED  # by amount and name
    assert by_label["PRLV EDF"].status == BankLineStatus.IGNORED  # a debit
    assert list(services.unmatched_lines()) == [by_label["VIR INCONNU"]]
    assert Payment.objects.get(member__username="alice").received_on == date(2026, 4, 2)


def test_importing_the_same_statement_twice_records_nothing_twice(invoices, profile):
    services.import_statement(
        CSV.encode(), actor=None, filename="avril.csv", format="csv", profile=profile
    )
    again = services.import_statement(
        CSV.encode(), actor=None, filename="avril.csv", format="csv", profile=profile
    )
    assert (again.new_count, again.matched_count) == (0, 0)
    assert (
        BankLine.objects.count() == 4
        and Payment.objects.count() == 2
        and BankStatement.objects.count() == 1
    )
    # A later statement overlapping the first records only its new line.
    later = CSV + "06/04/2026;VIR ELODIE LEFEVRE;;5,00\n"
    result = services.import_statement(
        later.encode(), actor=None, filename="mai.csv", format="csv", profile=profile
    )
    assert result.new_count == 1 and BankLine.objects.count() == 5


def test_two_identical_lines_in_one_file_are_both_kept(profile, db):
    data = "Date;Libellé;Référence;Montant\n01/04/2026;CB CAFE;;-2,50\n01/04/2026;CB CAFE;;-2,50\n"
    assert (
        services.import_statement(
            data.encode(), actor=None, filename="a.csv", format="csv", profile=profile
        ).new_count
        == 2
    )
    assert (
        services.import_statement(
            data.encode(), actor=None, filename="a.csv", format="csv", profile=profile
        ).new_count
        == 0
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "Date;Libellé;Référence;Montant\n02/04/2026;VIR;;12,00\n2026-04-03;VIR;;1,00\n",
            "Line 3: '2026-04-03' is not a date",
        ),
        (
            "Date;Libellé;Référence;Montant\n02/04/2026;VIR;;12,00\n03/04/2026;VIR;;douze\n",
            "Line 3: 'douze' is not an amount",
        ),
        (
            "Jour;Libellé;Montant\n02/04/2026;VIR;12,00\n",
            "Line 1: column(s) Date, Référence not found",
        ),
    ],
)
def test_a_malformed_csv_names_the_line_and_records_nothing(profile, db, content, message):
    with pytest.raises(ValidationError) as error:
        services.import_statement(
            content.encode(), actor=None, filename="bad.csv", format="csv", profile=profile
        )
    assert message in error.value.messages[0]
    assert not BankLine.objects.exists() and not BankStatement.objects.exists()


def test_credit_and_debit_columns(db, invoices):
    profile = BankCSVProfile.objects.create(
        name="Two columns",
        delimiter=",",
        date_column="date",
        date_format="%Y-%m-%d",
        amount_column="",
        credit_column="credit",
        debit_column="debit",
        label_column="label",
        decimal_comma=False,
    )
    data = "date,label,debit,credit\n2026-04-02,VIR 2026-000002,,32.00\n2026-04-02,FRAIS,1.20,\n"
    services.import_statement(
        data.encode(), actor=None, filename="b.csv", format="csv", profile=profile
    )
    assert sorted(BankLine.objects.values_list("amount", flat=True)) == [
        Decimal("-1.20"),
        Decimal("32.00"),
    ]
    invoices["bob"].refresh_from_db()
    assert invoices["bob"].is_settled


OFX = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260405120000<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR
<BANKACCTFROM><BANKID>30006<BRANCHID>00001<ACCTID>12345678901<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260401<DTEND>20260405
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260402<TRNAMT>1234.56<FITID>A0001<NAME>VIR ELODIE LEFEVRE\
<MEMO>2026-000001</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260403<TRNAMT>32.00<FITID>A0002<NAME>VIR BOB MARCHAND</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260404<TRNAMT>-12.00<FITID>A0003<NAME>FRAIS BANCAIRES</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>5000.00<DTASOF>20260405</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def test_an_ofx_statement_is_imported_once(invoices):
    result = services.import_statement(
        OFX.encode("cp1252"), actor=None, filename="a.ofx", format="ofx"
    )
    assert (result.line_count, result.new_count, result.matched_count) == (3, 3, 2)
    for invoice in invoices.values():
        invoice.refresh_from_db()
        assert invoice.is_settled
    assert (
        services.import_statement(
            OFX.encode("cp1252"), actor=None, filename="a.ofx", format="ofx"
        ).new_count
        == 0
    )
    assert Payment.objects.count() == 2


def test_a_malformed_ofx_is_refused(db):
    with pytest.raises(ValidationError, match="not a readable OFX"):
        services.import_statement(
            b"<OFX><BANKMSGSRSV1>", actor=None, filename="x.ofx", format="ofx"
        )


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-2026-04</MsgId><CreDtTm>2026-04-05T10:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>2026-04</Id>
      <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">1234.56</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-04-02</Dt></BookgDt><AcctSvcrRef>BANKREF1</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties><Dbtr><Nm>Elodie Lefevre</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>Facture 2026-000001</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">32.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-04-03</Dt></BookgDt><AcctSvcrRef>BANKREF2</AcctSvcrRef>
        <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>M. Bob Marchand</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">8.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-04-04</Dt></BookgDt><AcctSvcrRef>BANKREF3</AcctSvcrRef>
        <AddtlNtryInf>Frais</AddtlNtryInf>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def test_a_camt053_statement_is_imported_once(invoices):
    result = services.import_statement(
        CAMT.encode(), actor=None, filename="a.xml", format="camt053"
    )
    assert (result.line_count, result.new_count, result.matched_count) == (3, 3, 2)
    assert BankLine.objects.get(amount=Decimal("-8.00")).status == BankLineStatus.IGNORED
    assert (
        services.import_statement(
            CAMT.encode(), actor=None, filename="a.xml", format="camt053"
        ).new_count
        == 0
    )
    for invoice in invoices.values():
        invoice.refresh_from_db()
        assert invoice.is_settled


def test_a_malformed_camt053_names_the_line(db):
    broken = CAMT.replace('<Amt Ccy="EUR">32.00</Amt>', '<Amt Ccy="EUR">trente</Amt>')
    with pytest.raises(ValidationError, match=r"Line 1[0-9]: 'trente' is not an amount"):
        services.import_statement(broken.encode(), actor=None, filename="a.xml", format="camt053")
    with pytest.raises(ValidationError, match=r"Line 6: this is not well-formed XML"):
        services.import_statement(
            CAMT.replace("<Stmt>", "<Stmt").encode(), actor=None, filename="a.xml", format="camt053"
        )


def test_a_volunteer_matches_what_did_not_match(invoices, profile, make_member):
    services.import_statement(
        CSV.encode(), actor=None, filename="avril.csv", format="csv", profile=profile
    )
    line = services.unmatched_lines().get()
    alice = invoices["alice"].member
    treasurer = make_member(roles=["finances"])
    payment = services.match_manually(line, actor=treasurer, member=alice)
    line.refresh_from_db()
    assert line.status == BankLineStatus.MATCHED and payment.amount == Decimal("10.00")
    assert services.balance(alice) == Decimal("10.00")  # credit in her favour
    assert not services.unmatched_lines().exists()
