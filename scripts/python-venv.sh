# Sourced by the scripts that run Python tools against the server: puts pinned PyPI packages
# into a virtual environment of the script's own, once, so that neither the system's Python
# packages nor PEP 668 get in the way and a second run installs nothing.
#
#   ensure_venv DIR NAME==VERSION [NAME==VERSION...]
#
# VENV_PYTHON names the interpreter to build it from (default: python3 on PATH).
ensure_venv() {
  local venv=$1
  shift
  local pins=("$@") checks="" pin
  for pin in "${pins[@]}"; do checks+="m.version('${pin%%==*}') == '${pin##*==}' and "; done
  if "$venv/bin/python" -c "import sys, importlib.metadata as m; sys.exit(0 if ${checks}True else 1)" 2>/dev/null; then
    return 0
  fi
  echo "installing ${pins[*]} into $venv"
  rm -rf "$venv"
  local python=${VENV_PYTHON:-python3}
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian keeps ensurepip in a package of its own.
    rm -rf "$venv"
    if declare -F install_debian_packages >/dev/null; then
      install_debian_packages python3-venv
    else
      local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    fi
    "$python" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}" </dev/null
  "$venv/bin/python" -c "import sys, importlib.metadata as m; sys.exit(0 if ${checks}True else 1)" ||
    { echo "${pins[*]} did not install into $venv" >&2; return 1; }
}
