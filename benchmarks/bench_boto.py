"""The boto3 bridge, operation by operation, beside a payload-matched botocore floor and moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness import ROLE, SERVICE, Row, measure_side_by_side, per


def _cycle(iam: Any) -> None:
    name = iam.create_service_linked_role(AWSServiceName=SERVICE)["Role"]["RoleName"]
    iam.get_role(RoleName=name)  # moto names the role its own way; use what create answered
    iam.list_roles(PathPrefix="/aws-service-role/")
    iam.delete_service_linked_role(RoleName=name)


def _floor_client() -> Any:
    """botocore's own overhead: a client whose before-call event answers with canned data."""
    import datetime as dt

    import boto3
    from botocore.awsrequest import AWSResponse

    role = {"Path": "/", "RoleName": ROLE, "RoleId": "AROAEXAMPLE", "Arn": "arn:aws:iam::1:role/x",
            "CreateDate": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            "AssumeRolePolicyDocument": "%7B%7D"}
    canned: dict[str, Callable[[], dict[str, Any]]] = {  # fresh each call: botocore decodes in place
        "CreateServiceLinkedRole": lambda: {"Role": dict(role)},
        "GetRole": lambda: {"Role": dict(role)},
        "ListRoles": lambda: {"Roles": [dict(role)]},
        "DeleteServiceLinkedRole": lambda: {"DeletionTaskId": "t"},
    }
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")

    def answer(model: Any, **_: Any) -> Any:
        parsed = canned[model.name]()
        parsed["ResponseMetadata"] = {"HTTPStatusCode": 200}
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), parsed

    client.meta.events.register("before-call.iam", answer)
    return client


def bench_boto(quick: bool) -> list[Row]:
    import boto3

    from slr_fsm import Latencies, Simulation
    from slr_fsm.boto import iam_client

    n, r = (20, 3) if quick else (200, 7)
    sim = Simulation.default(latencies=Latencies(creation=0, deletion_start=0, deletion_run=0))
    ours = iam_client(sim)
    floor = _floor_client()
    try:
        import moto
    except ImportError:
        moto = None
    if moto is None:
        timed = measure_side_by_side(
            {"ours": lambda: _cycle(ours), "floor": lambda: _cycle(floor)}, number=n, repeat=r)
    else:
        with moto.mock_aws():  # the bridge and the floor never reach moto's HTTP layer
            theirs = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x",
                                  aws_secret_access_key="x")
            timed = measure_side_by_side(
                {"ours": lambda: _cycle(ours), "floor": lambda: _cycle(floor),
                 "moto": lambda: _cycle(theirs)}, number=n, repeat=r)
    t_ours, t_floor = timed["ours"], timed["floor"]
    rows = [Row("one call through the boto3 bridge (create, get, list, delete cycle)",
                per(t_ours, 4), "botocore, short-circuited in before-call (the floor)",
                per(t_floor, 4), t_ours.median / t_floor.median, "≤ 1.5× the floor",
                t_ours.median <= 1.5 * t_floor.median)]
    if moto is None:
        return [*rows, Row("boto3 bridge vs moto", "-", "moto", "not installed", float("nan"),
                           "≥ 10× faster", None)]
    t_moto = timed["moto"]
    rows.insert(0, Row("one call through the boto3 bridge (create, get, list, delete cycle)",
                       per(t_ours, 4), "the same cycle through boto3 on moto", per(t_moto, 4),
                       t_ours.median / t_moto.median, "≥ 10× faster (ratio ≤ 0.1)",
                       t_ours.median * 10 <= t_moto.median))
    return rows




def rows(quick: bool) -> list[Row]:
    """This module's rows of the results table."""
    return [*bench_boto(quick)]
