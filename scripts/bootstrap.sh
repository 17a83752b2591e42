# Sourced by run.sh and test.sh: make sure make and Python's venv exist on a fresh Debian.
need=""
command -v make >/dev/null 2>&1 || need="$need make"
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need="$need python3-venv"
command -v curl >/dev/null 2>&1 || need="$need curl"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
