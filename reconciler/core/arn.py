"""Lambda function ARNs as CloudFront associations use them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reconciler.errors import InputError

_LAMBDA_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>[A-Za-z0-9$_-]+))?$"
)
EDGE_REGION = "us-east-1"


@dataclass(frozen=True, order=True)
class FunctionArn:
    """A parsed Lambda function ARN; ``qualifier`` is a version, alias or None."""

    partition: str
    region: str
    account: str
    name: str
    qualifier: str | None = None

    @classmethod
    def parse(cls, arn: str) -> FunctionArn | None:
        """Parse ``arn``; return None when it is not a Lambda function ARN."""
        match = _LAMBDA_ARN.match(arn)
        if match is None:
            return None
        return cls(
            partition=match["partition"],
            region=match["region"],
            account=match["account"],
            name=match["name"],
            qualifier=match["qualifier"],
        )

    @classmethod
    def require(cls, arn: str) -> FunctionArn:
        """Parse ``arn`` or raise ``InputError`` naming the expected shape."""
        parsed = cls.parse(arn)
        if parsed is None:
            raise InputError(
                f"invalid Lambda function ARN {arn!r}: expected "
                "arn:aws:lambda:us-east-1:ACCOUNT:function:NAME:VERSION"
            )
        return parsed

    @property
    def version(self) -> int | None:
        """The numbered version, or None for $LATEST, an alias or no qualifier."""
        if self.qualifier is not None and self.qualifier.isdigit():
            return int(self.qualifier)
        return None

    @property
    def unqualified(self) -> str:
        prefix = f"arn:{self.partition}:lambda:{self.region}:{self.account}"
        return f"{prefix}:function:{self.name}"

    def with_version(self, version: int) -> FunctionArn:
        return FunctionArn(
            self.partition, self.region, self.account, self.name, str(version)
        )

    def same_function(self, other: FunctionArn) -> bool:
        """Compare partition, region, account and name exactly, ignoring qualifiers."""
        return (self.partition, self.region, self.account, self.name) == (
            other.partition,
            other.region,
            other.account,
            other.name,
        )

    def __str__(self) -> str:
        if self.qualifier is None:
            return self.unqualified
        return f"{self.unqualified}:{self.qualifier}"
