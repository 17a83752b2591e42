#!/bin/sh
# Set up everything (system packages, .venv) and start the portal server with demo data and the app.
set -e
cd "$(dirname "$0")"
. ./scripts/bootstrap.sh
exec make run "$@"
