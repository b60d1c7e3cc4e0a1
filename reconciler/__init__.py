"""GitOps reconciler for one Lambda@Edge function on many CloudFront distributions."""

__version__ = "0.1.0"
