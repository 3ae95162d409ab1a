"""The language of billing documents: French, as for any document issued in France.

Invoices, credit notes, calls for dues and receipts are written in French whatever the
member's language (Code de commerce, loi Toubon); the member's language may stand beside it
(see ``pdf.document_languages``). Texts frozen into a document at issue (line descriptions)
are therefore written in French too.
"""

import functools

from django.utils import translation

DOCUMENT_LANGUAGE = "fr"


def in_document_language(func):
    """Run ``func`` with French active, so the texts it writes into documents are French."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override(DOCUMENT_LANGUAGE):
            return func(*args, **kwargs)

    return wrapper


def document_language():
    """A context manager: French active while a text written into a document is made."""
    return translation.override(DOCUMENT_LANGUAGE)
