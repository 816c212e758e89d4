"""Kickoff: multi-region active-active live-event streaming platform on AWS CDK."""

__version__ = "0.1.0"
