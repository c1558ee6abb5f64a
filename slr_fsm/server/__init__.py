"""``slr-fsm serve``: the simulation as an AWS endpoint, for the AWS CLI and every SDK.

IAM and STS answer in AWS's query protocol (XML), AWS Organizations' read side in JSON 1.1, both
read and written from botocore's service models; the caller is the simulated principal whose
access key id signs the request (the signature is not verified). A control API under
``/_slr_fsm/`` does what AWS has no API for: the clock, the Marketplace console route, snapshots.
See docs/server.md.

>>> from slr_fsm import Simulation
>>> from slr_fsm.server import SimulationServer
>>> import boto3
>>> with SimulationServer(Simulation.default(seed=0)) as server:
...     key = next(k for k in server.access_keys() if k.principal == "admin")
...     iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1",
...                        aws_access_key_id=key.access_key_id,
...                        aws_secret_access_key=key.secret_access_key)
...     iam.create_service_linked_role(
...         AWSServiceName="purchase-orders.marketplace.amazonaws.com")["Role"]["RoleName"]
'AWSServiceRoleForMarketplacePurchaseOrders'

Needs the ``server`` extra: ``pip install "slr-fsm[server]"``.
"""

from __future__ import annotations

from slr_fsm.server.identity import AccessKey, access_keys
from slr_fsm.server.runner import SimulationServer, serve_until_signalled
from slr_fsm.server.served import ClockMode

__all__ = ["AccessKey", "ClockMode", "SimulationServer", "access_keys", "serve_until_signalled"]
