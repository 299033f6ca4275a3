# Shared by scripts/run, scripts/test and scripts/bench: installs what is missing on a bare
# Debian 12 machine and configures builds with Ninja.

POOLSCOPE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Packages every build needs: the toolchain, Qt 6 with QCustomPlot, the stack libraries,
# GoogleTest for the example of the memory-testing API in GoogleTest (tests/client), and
# dpkg-dev, whose dpkg-shlibdeps gives the Debian package its Depends, with file, by which CPack
# finds the binaries to hand it (a bare Debian 12 has no file).
POOLSCOPE_BUILD_PACKAGES=(g++ cmake ninja-build pkg-config git
    qt6-base-dev libqcustomplot-dev libgl-dev
    libunwind-dev libdw-dev
    libtbb-dev libpng-dev libjpeg62-turbo-dev libsqlite3-dev libzstd-dev
    fonts-dejavu-core
    libgtest-dev dpkg-dev file)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PACKAGE... installs the packages that are not installed yet.
ensure_packages() {
    local missing=()
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "Installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# configure_build DIR CMAKE_ARGS... configures DIR with Ninja if it is not configured yet.
configure_build() {
    local dir=$1
    shift
    cmake -S "$POOLSCOPE_ROOT" -B "$dir" -G Ninja "$@"
}

build_jobs() {
    nproc 2>/dev/null || echo 2
}
