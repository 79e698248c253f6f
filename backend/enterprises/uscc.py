"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capital letters without I, O,
S, V, Z): registration authority (1), entity type (1), administrative division code of
the registering authority (6 digits), the entity's identifier (9) and a check character
computed over the first 17 with weights 3^i mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]


class USCCError(ValueError):
    """What is wrong with a USCC: the sentence, and its code and params for the PWA (backend.errors)."""

    def __init__(self, message: str, *, code: str, params: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = params or {}


def normalise(code: str) -> str:
    return code.strip().replace(" ", "").upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """The normalised code, or USCCError saying what is wrong with it."""
    code = normalise(code)
    if len(code) != 18:
        raise USCCError(f"A USCC has 18 characters; this one has {len(code)}.", code="uscc_length",
                        params={"length": len(code)})
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise USCCError(
            f"A USCC uses digits and capital letters except I, O, S, V and Z; found {' '.join(bad)}.",
            code="uscc_characters", params={"characters": bad},
        )
    if not code[2:8].isdigit():
        raise USCCError("Characters 3 to 8 of a USCC are the 6-digit administrative division code.",
                        code="uscc_region_digits")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            f"The check character is wrong: {code[17]} given, {expected} expected for {code[:17]}. "
            "Check the code for a mistyped character.",
            code="uscc_check_character", params={"given": code[17], "expected": expected},
        )
    return code
