"""The e2e moto server: ``python -m e2e.moto_server --port N --account ID [--hosted-zone NAME=ID ...]``.

moto's own server (``moto.server.main``) on ``localhost``, after ``e2e.moto_patches`` has patched
moto in this process. Each ``--hosted-zone`` makes moto give that zone, once created, that ID.
"""

import argparse

from moto.server import main as moto_main

from e2e import moto_patches


def run(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="port to listen on, on localhost")
    parser.add_argument("--account", required=True, help="the account moto answers for (MOTO_ACCOUNT_ID)")
    parser.add_argument("--hosted-zone", action="append", default=[], metavar="NAME=ID", help="zone ID to hand out")
    args = parser.parse_args(argv)
    moto_patches.apply(args.port)
    for pair in args.hosted_zone:
        name, zone_id = pair.split("=", 1)
        moto_patches.seed_hosted_zone_id(args.account, name, zone_id)
    # The CLI's template URL and the custom resources' SDK calls both name localhost.
    moto_main(["--host", "localhost", "--port", str(args.port)])


if __name__ == "__main__":
    run()
