"""Account pre-deploy checks against IAM and Lambda on a local moto server."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests

from reconciler.desired_state import DesiredState
from reconciler.edge.account import trusted_services
from reconciler.edge.checks import Finding, run_account_checks

MakeDesired = Callable[..., DesiredState]
ROLE_NAME = "bot-router-edge"


def trust_policy(*services: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": list(services)},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


def create_role(iam_client: Any, *services: str) -> str:
    role = iam_client.create_role(
        RoleName=ROLE_NAME, AssumeRolePolicyDocument=trust_policy(*services)
    )
    return str(role["Role"]["Arn"])


def zip_of(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.js", source)
    return buffer.getvalue()


def by_check(findings: list[Finding], check: str) -> list[Finding]:
    return [finding for finding in findings if finding.check == check]


EDGE = ("lambda.amazonaws.com", "edgelambda.amazonaws.com")


def test_trusted_role_passes(make_desired: MakeDesired, iam_client: Any) -> None:
    create_role(iam_client, *EDGE)

    findings = run_account_checks(make_desired(), None, iam_client, 3)

    assert findings == []


def test_role_without_edgelambda_fails(
    make_desired: MakeDesired, iam_client: Any
) -> None:
    create_role(iam_client, "lambda.amazonaws.com")

    findings = run_account_checks(make_desired(), None, iam_client, 3)

    trust = by_check(findings, "role-trust")
    assert len(trust) == 1
    assert trust[0].level == "error"
    assert (
        "does not let edgelambda.amazonaws.com call sts:AssumeRole" in trust[0].message
    )
    assert '"sts:AssumeRole"' in trust[0].message


def test_missing_role_fails(make_desired: MakeDesired, iam_client: Any) -> None:
    findings = run_account_checks(make_desired(), None, iam_client, 3)

    trust = by_check(findings, "role-trust")
    assert len(trust) == 1
    assert trust[0].level == "error"
    assert "bot-router-edge does not exist" in trust[0].message


def test_denied_get_role_warns(
    make_desired: MakeDesired, iam_client: Any, moto_endpoint: str
) -> None:
    create_role(iam_client, *EDGE)
    iam_client.create_user(UserName="planner")
    iam_client.put_user_policy(
        UserName="planner",
        PolicyName="list-only",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}
                ],
            }
        ),
    )
    key = iam_client.create_access_key(UserName="planner")["AccessKey"]
    planner_iam = boto3.client(
        "iam",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    requests.post(f"{moto_endpoint}/moto-api/reset-auth", data=b"0", timeout=10)

    findings = run_account_checks(make_desired(), None, planner_iam, 3)

    trust = by_check(findings, "role-trust")
    assert len(trust) == 1
    assert trust[0].level == "warning"
    assert "iam:GetRole on bot-router-edge was denied" in trust[0].message


def test_no_iam_client_warns(make_desired: MakeDesired) -> None:
    findings = run_account_checks(make_desired(), None, None, 3)

    assert [(f.level, f.check) for f in findings] == [("warning", "role-trust")]


def test_clean_function_config_passes(
    make_desired: MakeDesired, iam_client: Any, lambda_client: Any
) -> None:
    role_arn = create_role(iam_client, *EDGE)
    lambda_client.create_function(
        FunctionName="bot-router",
        Runtime="nodejs20.x",
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": zip_of("exports.handler = async (e) => e;")},
    )
    config = lambda_client.get_function_configuration(FunctionName="bot-router")

    findings = run_account_checks(make_desired(), config, iam_client, 3)

    assert findings == []


def test_forbidden_function_config_fails(
    make_desired: MakeDesired, iam_client: Any, lambda_client: Any
) -> None:
    role_arn = create_role(iam_client, *EDGE)
    layer = lambda_client.publish_layer_version(
        LayerName="helpers", Content={"ZipFile": zip_of("module.exports = {};")}
    )
    lambda_client.create_function(
        FunctionName="bot-router",
        Runtime="nodejs20.x",
        Role=role_arn,
        Handler="index.handler",
        Code={"ZipFile": zip_of("exports.handler = async (e) => e;")},
        Environment={"Variables": {"AI_ORIGIN": "ai-origin.example.com"}},
        Layers=[layer["LayerVersionArn"]],
        VpcConfig={
            "SubnetIds": ["subnet-12345678"],
            "SecurityGroupIds": ["sg-12345678"],
        },
        Architectures=["arm64"],
        TracingConfig={"Mode": "Active"},
    )
    config = lambda_client.get_function_configuration(FunctionName="bot-router")

    findings = run_account_checks(make_desired(), config, iam_client, 3)

    errors = {f.check: f.message for f in findings if f.level == "error"}
    assert set(errors) == {"environment", "layers", "vpc", "architecture", "tracing"}
    assert "AI_ORIGIN" in errors["environment"]
    assert "function.settings" in errors["environment"]
    assert "helpers" in errors["layers"]
    assert "runs on arm64" in errors["architecture"]
    assert "PassThrough" in errors["tracing"]


@pytest.mark.parametrize(
    ("config", "check"),
    [
        (
            {"DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:1:dlq"}},
            "dead-letter-queue",
        ),
        ({"PackageType": "Image"}, "package-type"),
    ],
)
def test_other_forbidden_settings_fail(
    make_desired: MakeDesired, config: dict[str, Any], check: str
) -> None:
    findings = run_account_checks(make_desired(), config, None, 3)

    assert [f.check for f in findings if f.level == "error"] == [check]


def test_distribution_quota_exceeded(make_desired: MakeDesired) -> None:
    desired = make_desired(limits={"distributions_per_function": 500})

    at_quota = run_account_checks(desired, None, None, 500)
    over = run_account_checks(desired, None, None, 503)

    assert by_check(at_quota, "distribution-quota") == []
    quota = by_check(over, "distribution-quota")
    assert len(quota) == 1
    assert quota[0].level == "error"
    assert "503 distributions would reference bot-router, 3 over the quota of 500" in (
        quota[0].message
    )
    assert "limits.distributions_per_function" in quota[0].message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (trust_policy(*EDGE), set(EDGE)),
        (json.loads(trust_policy(*EDGE)), set(EDGE)),
        (
            {
                "Statement": {
                    "Effect": "Allow",
                    "Principal": {"Service": "edgelambda.amazonaws.com"},
                    "Action": ["sts:TagSession", "sts:AssumeRole"],
                }
            },
            {"edgelambda.amazonaws.com"},
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": list(EDGE)},
                        "Action": "sts:*",
                    },
                    {
                        "Effect": "Deny",
                        "Principal": {"Service": "edgelambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    },
                ]
            },
            {"lambda.amazonaws.com"},
        ),
        (
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": list(EDGE)},
                        "Action": "sts:TagSession",
                    }
                ]
            },
            set(),
        ),
        ("%7B%22Statement%22%3A%5B%5D%7D", set()),
    ],
)
def test_trusted_services_parses_policies(document: Any, expected: set[str]) -> None:
    assert trusted_services(document) == expected
