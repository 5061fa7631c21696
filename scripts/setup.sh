#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of pigmatch from Debian 12's archive.
# Idempotent: packages already present are left alone. When not run as root it prints the exact
# command instead of trying sudo, so nothing is installed behind the user's back.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries (design card)
  liblcms2-dev libheif-dev libboost-dev libboost-filesystem-dev libsqlite3-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev libjpeg-dev libpng-dev libtiff-dev
  # SHA-256 of photos saved with measure --save (libcrypto)
  libssl-dev
  # the client store on a PostgreSQL server (libpq), and the throw-away server its tests start
  libpq-dev postgresql-15
  # optional at build time: chart detection (mcc) and the Lab-conversion benchmark peer
  libopencv-dev libopencv-contrib-dev
  # optional at build time: the Qt 6 Widgets GUI (pigmatch-gui; includes Qt Test and the
  # offscreen platform its tests and screenshots use)
  qt6-base-dev
  # tests and benchmarks
  catch2 libbenchmark-dev
  # independent colour tools the tests compare against
  liblcms2-utils argyll sqlite3 libjpeg-turbo-progs
  # heif-enc and heif-info: HEIC files written and read by libheif's own tools, not pigmatch
  libheif-examples
  # rsvg-convert: the printable swatch card (SVG) rasterised by librsvg, not pigmatch
  librsvg2-bin
  # the libFuzzer targets in fuzz/ (the fuzz preset: clang-14 with libFuzzer, ASan, UBSan)
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed" >&2
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages; run as root:" >&2
  echo "  $cmd" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
