"""Many clients at once: 50 concurrent sign-ups, confirmations and SRP sign-ins."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from .support import boto3_client


def test_fifty_concurrent_sign_ups_and_sign_ins_all_succeed(start_own_pool):
    # 100 sign-ups and confirmations in a second or two are over AWS's 50 rps UserCreation quota;
    # this test is about concurrency, so the quota is lifted and botocore's retries are off.
    pool = start_own_pool(request_rates={"UserCreation": 1000})
    emails = [f"crowd-{uuid.uuid4().hex[:10]}@example.com" for _ in range(50)]
    local = threading.local()

    def client():
        if not hasattr(local, "client"):
            local.client = boto3_client(pool.handle, retries=0)
        return local.client

    def sign_up(email):
        return client().sign_up(
            ClientId=pool.handle.client_id,
            Username=email,
            Password="Crowd-passw0rd!",
            UserAttributes=[{"Name": "name", "Value": email}, {"Name": "preferred_username", "Value": email[:16]}],
        )["UserSub"]

    with ThreadPoolExecutor(max_workers=16) as executor:
        subs = list(executor.map(sign_up, emails))
    assert len(set(subs)) == 50

    codes = {m["to"]: m["code"] for m in reversed(pool.mailbox()) if m["kind"] == "SIGN_UP"}

    def confirm_and_sign_in(email):
        client().confirm_sign_up(ClientId=pool.handle.client_id, Username=email, ConfirmationCode=codes[email])
        user = pool.cognito(email)
        user.authenticate("Crowd-passw0rd!")
        return user.id_claims["sub"]

    with ThreadPoolExecutor(max_workers=16) as executor:
        assert sorted(executor.map(confirm_and_sign_in, emails)) == sorted(subs)
