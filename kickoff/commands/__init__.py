"""The commands of ``python -m kickoff``, one module per family; ``kickoff.cli`` parses and dispatches."""
