# Helpers shared by the scripts under scripts/ (sourced, never run).

# Installs Debian packages when running as root with apt-get; runs `apt-get update` once.
# Returns 1 (installing nothing) when that is not possible.
apt_updated=
install_deb() {
    if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
        return 1
    fi
    if [[ -z "$apt_updated" ]]; then
        apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The workspace's target directory as cargo sees it (honours CARGO_TARGET_DIR and .cargo/config).
target_dir() {
    cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

# Whether the workspace has a package of this name.
has_package() {
    cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; sys.exit(sys.argv[1] not in {p["name"] for p in json.load(sys.stdin)["packages"]})' "$1"
}
