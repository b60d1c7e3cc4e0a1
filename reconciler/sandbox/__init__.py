"""A local AWS for CloudFront and Lambda@Edge, built on moto with fidelity fixes.

``Sandbox`` runs moto's server in-process on 127.0.0.1 behind a middleware
that counts calls, injects latency and faults, serves CloudFront
distributions with real ETag, validation and pagination behaviour, and adds
the ``PublishVersion`` guards that moto lacks. ``seed_fleet`` fills it with
an edge function and thousands of distributions.
"""

from reconciler.sandbox.fleet import Fleet, FleetSpec, create_edge_role, seed_fleet
from reconciler.sandbox.server import Sandbox
from reconciler.sandbox.settings import SandboxSettings

__all__ = [
    "Fleet",
    "FleetSpec",
    "Sandbox",
    "SandboxSettings",
    "create_edge_role",
    "seed_fleet",
]
