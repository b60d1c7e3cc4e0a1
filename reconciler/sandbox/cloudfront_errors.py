"""CloudFront API errors with AWS's codes and HTTP statuses."""

from __future__ import annotations


class CloudFrontError(Exception):
    """An error that the sandbox returns as CloudFront's ``ErrorResponse``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def inconsistent_quantities(path: str, quantity: object, items: int) -> CloudFrontError:
    return CloudFrontError(
        "InconsistentQuantities",
        f"The value of Quantity and the size of Items don't match: {path} has "
        f"Quantity {quantity} and {items} Items.",
    )


def invalid_association(message: str) -> CloudFrontError:
    return CloudFrontError("InvalidLambdaFunctionAssociation", message)


def no_such_distribution(distribution_id: str) -> CloudFrontError:
    return CloudFrontError(
        "NoSuchDistribution",
        f"The specified distribution does not exist: {distribution_id}",
        404,
    )


def no_such_resource(arn: str) -> CloudFrontError:
    return CloudFrontError(
        "NoSuchResource", f"The specified resource does not exist: {arn}", 404
    )
