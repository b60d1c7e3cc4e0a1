"""The edge function's package builder and pre-deploy checks.

``package.build_package`` zips the source with its baked settings;
``checks.run_local_checks`` and ``checks.run_account_checks`` return the
findings that stop ``plan`` and ``apply`` before anything is written.
"""
