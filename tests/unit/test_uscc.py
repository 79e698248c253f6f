import pytest

from backend.enterprises import uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91110108551385082Q", "914403001922038216"])
def test_published_codes_are_valid(code: str) -> None:
    assert uscc.validate(code) == code


def test_every_wrong_check_character_is_caught() -> None:
    code = "91350100M000100Y43"
    for c in uscc.ALPHABET:
        if c != code[-1]:
            with pytest.raises(uscc.USCCError, match="check character is wrong"):
                uscc.validate(code[:-1] + c)


def test_a_single_mistyped_character_is_caught() -> None:
    code = "91350100M000100Y43"
    for i in range(17):
        if code[i].isdigit() and i not in range(2, 8):
            typo = code[:i] + str((int(code[i]) + 1) % 10) + code[i + 1 :]
            with pytest.raises(uscc.USCCError):
                uscc.validate(typo)


@pytest.mark.parametrize(
    ("code", "words"),
    [("", "has 0"), ("91350100M000100Y4", "has 17"), ("91350100M00O100Y43", "except I, O, S, V and Z"),
     ("91ABCDEFM000100Y43", "administrative division")],
)
def test_malformed_codes_say_why(code: str, words: str) -> None:
    with pytest.raises(uscc.USCCError, match=words):
        uscc.validate(code)


def test_spaces_and_case_are_normalised() -> None:
    assert uscc.validate(" 91350100m000100y43 ") == "91350100M000100Y43"
