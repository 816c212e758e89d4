"""HTTP path patterns and method sets as CloudFront and ALB understand them (pure, no CDK).

Both use the same path-pattern syntax: ``*`` matches any run of characters (including
``/``), ``?`` exactly one, everything else literally and case-sensitively. Config checks
and the deploy-readiness rules share these functions, so a config that validates and a
template that passes agree on which path a pattern serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# CloudFront offers three method sets per cache behaviour (AllowedMethods).
GET_HEAD = ("GET", "HEAD")
GET_HEAD_OPTIONS = ("GET", "HEAD", "OPTIONS")
ALL_METHODS = ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE")
CLOUDFRONT_METHOD_SETS = (GET_HEAD, GET_HEAD_OPTIONS, ALL_METHODS)
WRITE_METHODS = frozenset({"PUT", "PATCH", "POST", "DELETE"})
# The default behaviour serves every path no other behaviour matches; paths always start with /.
DEFAULT_PATH_PATTERN = "/*"


def path_pattern_matches(pattern: str, path: str) -> bool:
    """Whether ``path`` matches ``pattern`` (* any characters, ? exactly one; case-sensitive)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, path) is not None


def _literal_prefix(pattern: str) -> str:
    cut = min((i for i, c in enumerate(pattern) if c in "*?"), default=len(pattern))
    return pattern[:cut]


def pattern_covers(outer: str, inner: str) -> bool:
    """Whether every path ``inner`` matches is also matched by ``outer`` (decided conservatively).

    Exact for the shapes routing uses: a literal path, or a literal prefix followed by one
    trailing ``*``. Any other wildcard shape answers True only when the patterns are equal,
    so an uncertain case reads as "not covered" and is reported rather than assumed.
    """
    if outer == inner or outer == "*":
        return True
    if not any(c in inner for c in "*?"):
        return path_pattern_matches(outer, inner)
    prefix = outer[:-1]
    if outer.endswith("*") and not any(c in prefix for c in "*?"):
        return _literal_prefix(inner).startswith(prefix)
    return False


def cloudfront_method_set(methods: Iterable[str]) -> tuple[str, ...]:
    """The smallest CloudFront AllowedMethods set that holds ``methods``."""
    wanted = {m.upper() for m in methods}
    return next(s for s in CLOUDFRONT_METHOD_SETS if wanted <= set(s))


def allows_writes(methods: Iterable[str]) -> bool:
    """Whether any of ``methods`` writes (CloudFront cannot fail such a behaviour over)."""
    return any(m.upper() in WRITE_METHODS for m in methods)
