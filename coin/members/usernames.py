"""Usernames: one normal form, and no look-alikes of another member's name.

A username is stored NFKC-normalised (fullwidth and compatibility letters become
plain ones), unique whatever its case (a database constraint on its lower-case
form), and written in one script. Within the Latin script, a letter outside
ASCII must be an accented ASCII letter or one of a few letters that look like no
ASCII letter (ß, æ, œ, ø, ł, đ, ð, þ): a bare look-alike such as the dotless ı
("admın") is refused.

Why a script check here rather than a library: the rule is a few lines of
``unicodedata``, and the usual mixed-script checks (e.g. confusable_homoglyphs'
``is_dangerous``) only flag strings mixing scripts, so they let a single-script
Latin look-alike such as the dotless ı through.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 64

# Latin letters outside ASCII that do not decompose into an ASCII letter and an
# accent, yet look like no ASCII letter: they belong in real names.
DISTINCT_LATIN = frozenset("ßæœøłđðþÆŒØŁĐÐÞ")
# Scripts that are written together in one name (Japanese).
COMBINABLE = frozenset({"CJK", "HIRAGANA", "KATAKANA"})


def normalize(username):
    """The NFKC form of ``username`` (what is stored and what login looks up)."""
    return unicodedata.normalize("NFKC", username or "")


def login_key(username):
    """The key that identifies a login attempt: normal form, lower case, capped length.

    Used for throttling, so that ``Alice``, ``alice`` and ``ａｌｉｃｅ`` count as one
    username and an over-long value is never stored whole.
    """
    return normalize((username or "")[: MAX_LENGTH * 4]).lower()[:MAX_LENGTH]


def _script(char):
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _is_bare_latin_lookalike(char):
    if char.isascii() or char in DISTINCT_LATIN:
        return False
    base = unicodedata.normalize("NFD", char)[0]
    return not (base.isascii() and base.isalpha())


def validate_username_script(value):
    """Refuse usernames that mix scripts or use a bare Latin look-alike letter.

    Digits and the separators @ . + - _ are neutral. Raises ``ValidationError``.
    """
    value = normalize(value)
    scripts = set()
    for char in value:
        category = unicodedata.category(char)
        if category.startswith("M") or (char.isascii() and not char.isalpha()):
            continue
        script = _script(char)
        scripts.add(script)
        if script == "LATIN" and _is_bare_latin_lookalike(char):
            raise ValidationError(
                _("The letter “%(char)s” looks like another letter: please use a plain one."),
                code="lookalike",
                params={"char": char},
            )
    if len(scripts) > 1 and not scripts <= COMBINABLE:
        raise ValidationError(
            _("A username is written in one alphabet: do not mix letters of several."),
            code="mixed_script",
        )
