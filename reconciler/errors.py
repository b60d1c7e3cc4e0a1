"""Errors raised by the reconciler.

One tree, so callers catch ``ReconcilerError`` and get a message that names
the value and the fix. Lower-level errors (botocore, github3, pydantic) are
mapped at the boundary with ``raise ... from exc`` so the cause survives::

    ReconcilerError
    ├── InputError                 bad desired state, source or CLI input
    │   └── DesiredStateError      desired_state.yaml failed validation
    ├── PreDeployCheckError        a pre-deploy check failed; nothing written
    ├── CredentialsError           no usable AWS credentials
    ├── AwsError                   an AWS call failed (operation, code, resource)
    │   └── ConcurrentDeployError  a publish guard caught another deployer
    └── GitHubError                a GitHub call failed (never fails a reconcile)
"""

from __future__ import annotations


class ReconcilerError(Exception):
    """Base class of every error the reconciler raises on purpose."""


class InputError(ReconcilerError):
    """Invalid input given to the reconciler."""


class DesiredStateError(InputError):
    """The desired state file is invalid; ``problems`` lists every finding."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid desired state in {path}:\n{lines}")


class PreDeployCheckError(ReconcilerError):
    """One or more pre-deploy checks failed, so nothing was published."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        lines = "\n".join(f"  - {failure}" for failure in failures)
        super().__init__(f"pre-deploy checks failed, nothing was written:\n{lines}")


class CredentialsError(ReconcilerError):
    """No AWS credentials were found in the standard chain."""


class AwsError(ReconcilerError):
    """An AWS API call failed."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        code: str = "",
        resource: str = "",
    ) -> None:
        self.operation = operation
        self.code = code
        self.resource = resource
        super().__init__(message)


class ConcurrentDeployError(AwsError):
    """A ``CodeSha256`` or ``RevisionId`` guard failed: someone else deployed."""


class GitHubError(ReconcilerError):
    """A GitHub API call failed."""
