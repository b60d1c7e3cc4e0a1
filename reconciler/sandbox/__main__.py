"""Run ``python -m reconciler.sandbox``, the same as ``reconciler sandbox``."""

import argparse
import logging

from reconciler.sandbox.cli import add_arguments, run

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
parser = argparse.ArgumentParser(
    prog="python -m reconciler.sandbox",
    description="Run a local AWS sandbox for CloudFront and Lambda@Edge.",
)
add_arguments(parser)
raise SystemExit(run(parser.parse_args()))
