"""The GMP-backed SRP client computes exactly what pycognito's does."""

import secrets

import pytest
from pycognito.aws_srp import AWSSRP, N_HEX, hex_to_long

from cruddur.auth.gmp_srp import GmpSRP

N = hex_to_long(N_HEX)


def pair():
    """Both clients with the same secret `a`."""
    common = {"username": "ada@example.com", "password": "Crud-dur-2026!", "pool_id": "us-east-1_AbC", "client_id": "c",
              "client": object()}  # fmt: skip
    theirs, ours = AWSSRP(**common), GmpSRP(**common)
    ours.small_a_value = theirs.small_a_value
    ours.large_a_value = ours.calculate_a()
    return theirs, ours


@pytest.mark.parametrize("run", range(5))
def test_the_public_value_and_the_password_key_are_pycognitos(run):
    theirs, ours = pair()
    assert ours.large_a_value == theirs.large_a_value
    big_b, salt = secrets.randbelow(N - 1) + 1, secrets.token_hex(16)
    assert ours.get_password_authentication_key("user-id", "Crud-dur-2026!", big_b, salt) == (
        theirs.get_password_authentication_key("user-id", "Crud-dur-2026!", big_b, salt)
    )


def test_the_device_key_is_pycognitos():
    theirs, ours = pair()
    big_b, salt = secrets.randbelow(N - 1) + 1, secrets.token_hex(16)
    args = ("us-east-1_group", "us-east-1_device", "device-password", big_b, salt)
    assert ours.get_device_authentication_key(*args) == theirs.get_device_authentication_key(*args)
