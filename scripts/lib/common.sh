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
    echo "installing Debian packages: $*" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The workspace's target directory as cargo sees it (honours CARGO_TARGET_DIR and .cargo/config).
target_dir() {
    cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

# Installs a cargo tool (`cargo_tool CHECK CRATE [--version V]`) into the target directory's
# tools, never into the user's cargo home, unless the command CHECK (a function) succeeds
# already; puts those tools first on PATH either way.
cargo_tool() {
    local check=$1
    shift
    local tools
    tools="$(target_dir)/tools"
    export PATH="$tools/bin:$PATH"
    if ! "$check" >/dev/null 2>&1; then
        echo "installing $* into $tools" >&2
        cargo install "$@" --locked --root "$tools"
    fi
}

# Whether the workspace has a package of this name.
has_package() {
    cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; sys.exit(sys.argv[1] not in {p["name"] for p in json.load(sys.stdin)["packages"]})' "$1"
}

# Makes sure the commands of an external checker exist (`need WHAT "CMD..." PACKAGE...`),
# installing the Debian packages when it can. When it cannot (no root, offline), CI (with CI
# set) fails; elsewhere the check is skipped with a message that says how to get it, and
# `need` returns 1.
need() {
    local what=$1 commands=$2 cmd
    shift 2
    for cmd in $commands; do
        if ! command -v "$cmd" >/dev/null; then
            if install_deb "$@"; then
                return 0
            fi
            if [[ -n "${CI:-}" ]]; then
                echo "$what is missing and cannot be installed (apt-get install $*, as root)" >&2
                exit 1
            fi
            echo "skipped: $what is missing and cannot be installed (apt-get install $*, as root)"
            return 1
        fi
    done
}

# A Python virtual environment at DIR with PACKAGES installed by pip (never into the system
# Python): `venv_python DIR PACKAGE...` prints its interpreter.
venv_python() {
    local dir=$1
    shift
    if [[ ! -x "$dir/bin/python" ]]; then
        python3 -m venv "$dir" >&2
    fi
    echo "installing into $dir with pip: $*" >&2
    "$dir/bin/python" -m pip install --quiet "$@" >&2
    echo "$dir/bin/python"
}
