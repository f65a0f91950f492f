"""Look-alike skeletons: one string for names a reader cannot tell apart.

`gіt-commit-messages` with a Cyrillic `і` is a valid name and a different string from
`git-commit-messages`, yet nobody reading a list of skills can see the difference, so an agent
(or a person) picks the wrong one. The skeleton is NFKC (which folds fullwidth and other
compatibility forms), case-folded, without invisible characters, with the Cyrillic, Greek and
Latin letters drawn like a basic Latin letter replaced by that letter: the small part of
Unicode's confusables table (UTS #39) that makes Latin look-alikes. Two names with one skeleton
are one name to a reader; the store refuses the second in a scope.
"""

from __future__ import annotations

import unicodedata

#: letters drawn like a lowercase basic Latin letter (after NFKC and lower()), from UTS #39 confusables;
#: NFKC turns the lunate sigma into a final sigma, so both are listed
_LATIN_LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "\u0430": "a", "\u0441": "c", "\u0501": "d", "\u0435": "e", "\u0451": "\u00eb", "\u0433": "r",
    "\u04bb": "h", "\u0456": "i", "\u0457": "\u00ef", "\u0458": "j", "\u04cf": "l", "\u043e": "o",
    "\u0440": "p", "\u051b": "q", "\u0455": "s", "\u0443": "y", "\u04af": "y", "\u0475": "v",
    "\u051d": "w", "\u0445": "x", "\u044c": "b",
    # Greek
    "\u03b1": "a", "\u03f2": "c", "\u03c2": "c", "\u03b3": "y", "\u03b9": "i", "\u03f3": "j", "\u03ba": "k",
    "\u03bd": "v", "\u03bf": "o", "\u03c1": "p", "\u03c5": "u", "\u03c7": "x",
    # Latin letters that are not the basic one
    "\u0131": "i", "\u0237": "j", "\u0261": "g", "\u0251": "a", "\u1d00": "a",
}
_TABLE = str.maketrans(_LATIN_LOOKALIKES)


def skeleton(name: str) -> str:
    """The form two look-alike names share (NFKC, lowercase, invisible characters dropped, look-alikes mapped)."""
    folded = unicodedata.normalize("NFKC", name.strip()).lower()  # lower(), not casefold(): it keeps ς
    visible = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("C"))
    return unicodedata.normalize("NFKC", visible.translate(_TABLE))
