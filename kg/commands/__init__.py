"""Subcommands of ``kg``: each module defines ``register(subparsers)`` and calls one library function."""
