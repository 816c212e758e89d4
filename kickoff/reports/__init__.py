"""Operator reports: rule and plan results as data that the CLI renders and tests check directly.

Each report is a function from config (and plan, or assembly) to plain dataclasses; no printing here.
"""
