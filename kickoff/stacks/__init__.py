"""Thin stacks: each composes constructs for one deployment unit, wires and tags them."""

from kickoff.stacks.deployment import Deployment, build_deployment

__all__ = ["Deployment", "build_deployment"]
