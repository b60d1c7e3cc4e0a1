"""Report a run to GitHub Actions and to GitHub itself through github3.py."""

from reconciler.github.client import RetryPolicy
from reconciler.github.publish import publish_report

__all__ = ["RetryPolicy", "publish_report"]
