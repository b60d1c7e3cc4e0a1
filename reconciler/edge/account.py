"""Pre-deploy checks that read the AWS account: function configuration, role, quota."""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from reconciler.desired_state import DesiredState
from reconciler.edge.findings import Finding, error, warning

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

log = logging.getLogger(__name__)

EDGE_PRINCIPALS = ("lambda.amazonaws.com", "edgelambda.amazonaws.com")
_TRUST_STATEMENT = json.dumps(
    {
        "Effect": "Allow",
        "Principal": {"Service": list(EDGE_PRINCIPALS)},
        "Action": "sts:AssumeRole",
    }
)
_ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException"})


def run_account_checks(
    desired: DesiredState,
    function_config: Mapping[str, Any] | None,
    iam_client: IAMClient | None,
    distribution_count: int,
) -> list[Finding]:
    """Check what Lambda@Edge forbids in the account, before anything is written.

    Args:
        desired: the validated desired state.
        function_config: ``GetFunctionConfiguration`` of ``$LATEST``, or None
            when the function does not exist yet.
        iam_client: reads the execution role; None skips that check with a
            warning.
        distribution_count: how many distributions will reference the function
            once the plan is applied.
    """
    findings: list[Finding] = []
    if function_config is not None:
        findings += _check_function_config(desired, function_config)
    findings += _check_role_trust(desired, iam_client)
    findings += _check_distribution_quota(desired, distribution_count)
    return findings


def _check_function_config(
    desired: DesiredState, config: Mapping[str, Any]
) -> list[Finding]:
    name = desired.function.name
    findings: list[Finding] = []

    variables = (config.get("Environment") or {}).get("Variables") or {}
    if variables:
        findings.append(
            error(
                "environment",
                f"function {name} has environment variables "
                f"({', '.join(sorted(variables))}), which Lambda@Edge rejects; remove "
                "them and put the values in "
                "function.settings, which is baked into the package",
            )
        )
    layers = [layer.get("Arn", "?") for layer in config.get("Layers") or []]
    if layers:
        findings.append(
            error(
                "layers",
                f"function {name} uses layers ({', '.join(layers)}), which Lambda@Edge "
                "rejects; remove them and bundle the code into the source",
            )
        )
    vpc = config.get("VpcConfig") or {}
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        findings.append(
            error(
                "vpc",
                f"function {name} is attached to a VPC, which Lambda@Edge rejects; "
                "remove its VPC configuration",
            )
        )
    architectures = config.get("Architectures") or ["x86_64"]
    if "x86_64" not in architectures:
        findings.append(
            error(
                "architecture",
                f"function {name} runs on {', '.join(architectures)} but Lambda@Edge "
                "supports only x86_64; recreate the function with x86_64",
            )
        )
    if (config.get("DeadLetterConfig") or {}).get("TargetArn"):
        findings.append(
            error(
                "dead-letter-queue",
                f"function {name} has a dead-letter queue, which Lambda@Edge rejects; "
                "remove its DeadLetterConfig",
            )
        )
    if (config.get("TracingConfig") or {}).get("Mode") == "Active":
        findings.append(
            error(
                "tracing",
                f"function {name} has X-Ray tracing set to Active, which Lambda@Edge "
                "rejects; set TracingConfig Mode to PassThrough",
            )
        )
    if config.get("PackageType", "Zip") != "Zip":
        findings.append(
            error(
                "package-type",
                f"function {name} is a {config.get('PackageType')} function but "
                "Lambda@Edge needs a .zip package; recreate the function from a zip",
            )
        )
    return findings


def _check_role_trust(
    desired: DesiredState, iam_client: IAMClient | None
) -> list[Finding]:
    role_arn = desired.function.role
    role_name = role_arn.rsplit("/", 1)[1]
    needed = " and ".join(EDGE_PRINCIPALS)
    if iam_client is None:
        return [
            warning(
                "role-trust",
                f"the trust policy of {role_arn} was not read; check by hand that it "
                f"lets {needed} call sts:AssumeRole",
            )
        ]

    try:
        role = iam_client.get_role(RoleName=role_name)["Role"]
    except (ClientError, BotoCoreError) as exc:
        return [_role_read_failure(role_arn, exc)]

    trusted = trusted_services(role.get("AssumeRolePolicyDocument"))
    missing = [service for service in EDGE_PRINCIPALS if service not in trusted]
    if not missing:
        return []
    return [
        error(
            "role-trust",
            f"execution role {role_arn} does not let {' and '.join(missing)} call "
            f"sts:AssumeRole, which Lambda@Edge needs; add {_TRUST_STATEMENT} to its "
            "trust policy",
        )
    ]


def _role_read_failure(role_arn: str, exc: ClientError | BotoCoreError) -> Finding:
    role_name = role_arn.rsplit("/", 1)[1]
    needed = " and ".join(EDGE_PRINCIPALS)
    code = (
        exc.response.get("Error", {}).get("Code", "")
        if isinstance(exc, ClientError)
        else ""
    )
    if code == "NoSuchEntity":
        return error(
            "role-trust",
            f"execution role {role_arn} does not exist; create it with a trust "
            f"policy for {needed}, or fix function.role",
        )
    if code in _ACCESS_DENIED:
        return warning(
            "role-trust",
            f"iam:GetRole on {role_name} was denied, so its trust policy was not "
            f"checked; grant iam:GetRole or check by hand that it trusts {needed}",
        )
    log.warning("iam:GetRole %s failed: %s", role_name, exc)
    return warning(
        "role-trust",
        f"iam:GetRole on {role_name} failed ({code or exc}), so its trust policy "
        "was not checked; run again or check it by hand",
    )


def trusted_services(document: Any) -> set[str]:
    """Return the services a trust policy lets call ``sts:AssumeRole``.

    IAM returns the document URL-encoded; boto3 usually decodes it already.
    A service named in a matching Deny statement is not trusted. Conditions
    are not evaluated, so a conditional Allow counts as an Allow.
    """
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    if not isinstance(document, dict):
        return set()
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]

    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in statements:
        if not isinstance(statement, dict) or not _allows_assume_role(
            statement.get("Action")
        ):
            continue
        principal = statement.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else None
        names = {services} if isinstance(services, str) else set(services or ())
        if statement.get("Effect") == "Allow":
            allowed |= names
        elif statement.get("Effect") == "Deny":
            denied |= names
    return allowed - denied


def _allows_assume_role(action: Any) -> bool:
    actions = [action] if isinstance(action, str) else list(action or ())
    return any(
        str(item).lower() in {"sts:assumerole", "sts:*", "*"} for item in actions
    )


def _check_distribution_quota(desired: DesiredState, count: int) -> list[Finding]:
    quota = desired.limits.distributions_per_function
    if count <= quota:
        return []
    return [
        error(
            "distribution-quota",
            f"{count} distributions would reference {desired.function.name}, "
            f"{count - quota} over the quota of {quota} distributions per function "
            "(CloudFront rejects more with TooManyDistributionsWithSingleFunctionARN); "
            "exclude distributions, request a quota increase and raise "
            "limits.distributions_per_function, or split them across functions",
        )
    ]
