#!/bin/sh
# Set up everything (system packages, .venv) and run every test.
set -e
cd "$(dirname "$0")"
. ./scripts/bootstrap.sh
exec make test "$@"
