#!/usr/bin/env bash
# The main job on the bundled sample data: install what is missing, build, and measure the
# skin patches of the sample chart photo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target pigmatch

pigmatch=build/release/cli/pigmatch
sample=data/samples/colorchecker-srgb.jpg
"$pigmatch" --version
echo
echo "== dark skin patch of $sample"
"$pigmatch" lab "$sample" --region 30,30,60,60
echo
echo "== light skin patch of $sample"
"$pigmatch" lab "$sample" --region 130,30,60,60
echo
echo "== CIEDE2000 between X-Rite's published dark-skin and light-skin references"
"$pigmatch" de 37.54,14.37,14.92 64.66,19.27,17.5
