"""Supplier identifiers: valid and invalid examples of each type, with precise French messages."""

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from cases.identifiers import (
    clean_bic,
    clean_iban,
    clean_nir,
    clean_siren,
    clean_siret,
    clean_vat,
)


def refused(clean, value, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        clean(value, **kwargs)
    return info.value


def luhn_valid_siret_with_a_wrong_siren() -> str:
    body = "12345678"
    wrong = str((int(luhn.calc_check_digit(body)) + 1) % 10)
    siret_body = body + wrong + "0001"
    return siret_body + luhn.calc_check_digit(siret_body)


@pytest.mark.parametrize("value, expected", [
    ("732 829 320 00074", "73282932000074"),
    ("35600000000048", "35600000000048"),  # La Poste's head office: Luhn
    ("35600000012346", "35600000012346"),  # a La Poste establishment: digit sum multiple of 5
])
def test_valid_sirets(value, expected):
    assert clean_siret(value) == expected


@pytest.mark.parametrize("value, code, message", [
    ("73282932000075", "checksum", "Clé de contrôle SIRET invalide"),
    ("7328293200007", "length", "14 chiffres (13 saisis)"),
    ("7328293200007A", "format", "que des chiffres"),
    ("35600000012345", "checksum", "Clé de contrôle SIRET invalide"),  # La Poste, sum 29
])
def test_invalid_sirets_say_what_is_wrong(value, code, message):
    error = refused(clean_siret, value)
    assert error.code == code and message in error.messages[0]


def test_a_luhn_valid_siret_whose_siren_is_wrong_is_named_as_such():
    value = luhn_valid_siret_with_a_wrong_siren()
    assert luhn.is_valid(value)
    error = refused(clean_siret, value)
    assert error.code == "siren" and "SIREN" in error.messages[0]


def test_siren():
    assert clean_siren("732 829 320") == "732829320"
    assert refused(clean_siren, "732829321").code == "checksum"
    assert "9 chiffres (8 saisis)" in refused(clean_siren, "73282932").messages[0]


def test_nir():
    assert clean_nir("1 84 12 76 451 089 46") == "184127645108946"
    error = refused(clean_nir, "184127645108947")
    assert error.code == "checksum" and "Clé du NIR" in error.messages[0]
    assert refused(clean_nir, "18412764510894").code == "length"


@pytest.mark.parametrize("value", ["FR40303265045", "DE136695976", "BE0403019261",
                                   "IT00743110157", "ESX2482300W", "NL004495445B01",
                                   "fr 40 303 265 045"])
def test_valid_eu_vat_numbers(value):
    assert clean_vat(value).startswith(value[:2].upper())


@pytest.mark.parametrize("value, code, country", [
    ("FR41303265045", "checksum", "FR"),
    ("DE136695977", "checksum", "DE"),
    ("BE04030192", "format", "BE"),
    ("US123456789", "country", None),
])
def test_invalid_eu_vat_numbers(value, code, country):
    error = refused(clean_vat, value)
    assert error.code == code
    if country:
        assert country in error.messages[0]


def test_iban():
    assert clean_iban("FR76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    cases = {
        "FR7730006000011234567890189": "checksum",  # wrong check digits
        "ZZ7630006000011234567890189": "country",
        "FR763000600001123456789018": "length",
    }
    for value, code in cases.items():
        assert refused(clean_iban, value).code == code, value
    assert "comporte 27 caractères (26 saisis)" in refused(
        clean_iban, "FR763000600001123456789018").messages[0]
    assert "2 chiffres après le code pays" in refused(
        clean_iban, "FR7730006000011234567890189").messages[0]


def test_bic_and_its_country_against_the_iban():
    assert clean_bic("bnpa fr pp xxx") == "BNPAFRPPXXX"
    assert clean_bic("BNPAFRPP", iban="FR7630006000011234567890189") == "BNPAFRPP"
    # Monaco's and overseas territories' accounts are held by French banks.
    assert clean_bic("BNPAFRPP", iban="MC5811222000010123456789030") == "BNPAFRPP"
    error = refused(clean_bic, "BNPAFRPP", iban="DE89370400440532013000")
    assert error.code == "country" and "FR" in error.messages[0] and "DE" in error.messages[0]
    assert refused(clean_bic, "BNPA").code == "format"
