"""The OpenAPI document against what the API answers: schemathesis (its pytest integration, on
the ASGI app, every check) generating requests from /api/openapi.json in its examples, coverage
and fuzzing phases and, following the document's links, its stateful phase.

Tokens are real (minted for the loopback JWKS, checked by the real verifier): Ada, who has a
profile, and people the user pool knows and the app does not yet, so profile set-up runs too.
The documented example crud exists, so examples reach a 2xx. The seed is pytest-randomly's
(`--randomly-seed=N`, printed at the top of every run and with a failure) and reproduces the
cases as well as the order.
"""

import itertools
import random
import uuid
from collections import defaultdict

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from cruddur.api.models import EXAMPLE_UUID
from cruddur.models import Activity
from cruddur.services.posting import post_crud
from tests.api.conftest import ADA_SUB

MAX_EXAMPLES = 30  # fuzzing cases per operation; with the other phases, about 20 s in all
STATEFUL_EXAMPLES = 15
STATEFUL_STEPS = 6  # calls per scenario, as many as the longest chain of links needs


@pytest.fixture
def contract_seed(request) -> int:
    seed = request.config.getoption("randomly_seed", None)
    seed = seed if isinstance(seed, int) else random.getrandbits(32)
    print(f"schemathesis seed {seed}: rerun with python -m pytest {request.node.nodeid} --randomly-seed={seed}")
    return seed


@pytest.fixture
def statuses():
    """Every status each operation answered; a run in which one never succeeded proves little
    about it (schemathesis's CLI warns of that: missing auth or test data, validation mismatch)."""
    seen: dict[str, set[int]] = defaultdict(set)
    yield seen
    assert {label: codes for label, codes in seen.items() if not any(200 <= c < 300 for c in codes)} == {}


@pytest.fixture
def api_schema(request, api, people, mint, pool, contract_seed):
    # pytest 9.2 renamed Node._nodeid, which schemathesis 4.32's lazy loader reads and writes to
    # name each operation's subtest: give it one (it only labels the report).
    request.node._nodeid = request.node.nodeid
    with people.session() as session:  # the documented example crud, there to like and reply to
        example = post_crud(session, ADA_SUB, "The example crud", "30d")
        session.get(Activity, uuid.UUID(example.uuid)).uuid = uuid.UUID(EXAMPLE_UUID)
        session.commit()
    config = schemathesis.Config.from_dict(
        {"seed": contract_seed, "checks": {"enabled": True}, "generation": {"max-examples": MAX_EXAMPLES}}
    )
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api, config=config)
    newcomers = itertools.count()
    ada = mint.access()

    class Tokens:
        """Ada's token, or (for /api/me always, else every third call) someone new to the app,
        whose pool attributes make a profile."""

        def get(self, case, _context):
            n = next(newcomers)
            if case.path != "/api/me" and n % 3:
                return ada
            sub = str(uuid.UUID(int=n + 1))
            pool.accounts[sub] = {"preferred_username": f"newcomer_{n}", "name": f"Newcomer {n}"}
            return mint.access(sub)

        def set(self, case, token, _context):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {token}"

    schema.auth(refresh_interval=None)(Tokens)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.filterwarnings("error::UserWarning")  # schemathesis's warnings fail the run
@schema.parametrize()
def test_every_operation_answers_as_documented(case, statuses):
    response = case.call_and_validate()
    statuses[case.operation.label].add(response.status_code)


@pytest.mark.filterwarnings("error::UserWarning")
def test_sequences_along_the_documents_links_answer_as_documented(api_schema, contract_seed):
    followed: set[str] = set()

    class Workflow(api_schema.as_state_machine()):
        def after_call(self, response, case):
            if 200 <= response.status_code < 300 and case.path in (
                "/api/activities/{crud_uuid}/reply",
                "/api/activities/{crud_uuid}/like",
            ):
                followed.add(case.operation.label)

    hypothesis.seed(contract_seed)(Workflow).run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            # Steps are drawn from links whose inputs the last answers decide, so many draws are
            # discarded by design (schemathesis's CLI turns these checks off as well).
            suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
        )
    )
    # The links from a posted crud were followed to what can be done with it.
    assert followed == {"POST /api/activities/{crud_uuid}/reply", "POST /api/activities/{crud_uuid}/like"}
