"""SRP-6a exactly as Cognito (and pycognito / amazon-cognito-identity-js) does it.

3072-bit group of RFC 5054, g = 2, SHA-256, Cognito's `pad_hex` and `k`. The server stores only
`salt` and the verifier `v = g^x mod N`; big-integer powers go through gmpy2 when available.
"""

import base64
import hashlib
import hmac
import secrets

try:
    # gmpy2 ships no type stubs: its names come from a C extension pyright cannot read.
    from gmpy2 import mpz  # pyright: ignore[reportAttributeAccessIssue]
    from gmpy2 import powmod as _powmod  # pyright: ignore[reportAttributeAccessIssue]

    BACKEND = "gmpy2"

    def powmod(base: int, exponent: int, modulus: int) -> int:
        return int(_powmod(mpz(base), mpz(exponent), mpz(modulus)))

except ImportError:  # pragma: no cover - gmpy2 is a dependency, pow is the fallback
    BACKEND = "pow"

    def powmod(base: int, exponent: int, modulus: int) -> int:
        return pow(base, exponent, modulus)


N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
SERVER_SECRET_BITS = 256


def pad_hex(value: int | str) -> str:
    """Cognito's hex form for hashing: odd length gets a leading 0, a high first nibble gets 00."""
    text = value if isinstance(value, str) else format(value, "x")
    if len(text) % 2 == 1:
        return "0" + text
    if text[0] in "89ABCDEFabcdef":
        return "00" + text
    return text


def hash_hex(hex_string: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_string)).hexdigest()


K = int(hash_hex("00" + N_HEX + "02"), 16)


def pool_suffix(pool_id: str) -> str:
    """The part of the pool id the clients hash (they use split('_')[1])."""
    return pool_id.split("_")[1]


def password_exponent(pool_id: str, user_id_for_srp: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_suffix(pool_id)}{user_id_for_srp}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(salt_hex) + inner), 16)


def new_verifier(pool_id: str, user_id_for_srp: str, password: str) -> tuple[str, str]:
    """(salt hex, verifier hex) for a new password."""
    salt = secrets.token_hex(16)
    x = password_exponent(pool_id, user_id_for_srp, password, salt)
    return salt, format(powmod(G, x, N), "x")


def password_matches(pool_id: str, user_id_for_srp: str, password: str, salt: str, verifier: str) -> bool:
    """Whether `password` produces the stored verifier (for flows that send the password itself)."""
    x = password_exponent(pool_id, user_id_for_srp, password, salt)
    candidate = format(powmod(G, x, N), "x")
    return hmac.compare_digest(candidate, verifier)


def server_values(verifier: int) -> tuple[int, int]:
    """A fresh secret b and the public B = (k·v + g^b) mod N."""
    while True:
        b = secrets.randbits(SERVER_SECRET_BITS) | 1
        big_b = (K * verifier + powmod(G, b, N)) % N
        if big_b % N != 0:
            return b, big_b


def session_key(big_a: int, big_b: int, b: int, verifier: int) -> bytes | None:
    """The 16-byte key both sides derive, or None when u == 0 (the exchange must be refused)."""
    u_hex = hash_hex(pad_hex(big_a) + pad_hex(big_b))
    u = int(u_hex, 16)
    if u == 0:
        return None
    s = powmod(big_a * powmod(verifier, u, N) % N, b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def claim_matches(
    big_a: int, big_b: int, b: int, verifier: int, identity: str, secret_block_b64: str, timestamp: str, signature: str
) -> bool:
    """Whether the client's PASSWORD_CLAIM_SIGNATURE proves it knows the password behind `verifier`.

    `identity` is what the client signs before the secret block: the pool id's suffix and the
    user's id for a user, the device group key and device key for a device."""
    key = session_key(big_a, big_b, b, verifier)
    if key is None:
        return False
    message = identity.encode() + base64.standard_b64decode(secret_block_b64) + timestamp.encode()
    expected = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.encode(), signature.encode())
