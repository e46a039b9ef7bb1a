# Sourced by the setup scripts: ensure_packages WHO PKG... installs the Debian
# packages among PKG that are not installed yet (one apt-get update first, and
# only then), and says so under WHO. A second run only checks.
ensure_packages() {
  local who=$1 p
  shift
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  printf '\033[1m%s:\033[0m installing %s\n' "$who" "${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
