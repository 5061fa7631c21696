#!/usr/bin/env bash
# The main job on the bundled sample data: install what is missing, build, and measure the
# skin patches of the sample chart photo.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target pigmatch catalog-files models

pigmatch=build/release/cli/pigmatch
sample=data/samples/colorchecker-srgb.jpg
"$pigmatch" --version
echo
echo "== a rendered scalp photo (Canon 40D under F11) with a ColorChecker in frame: the chart is"
echo "   found, calibrates the camera, and the skin, neck and stubbled scalp are measured"
echo "   (true values: data/samples/scalp-canon40d-f11.truth.json)"
"$pigmatch" measure data/samples/scalp-canon40d-f11.jpg \
    --region skin=683,455,193,257 --region neck=948,480,180,232 \
    --stubble scalp=683,80,433,304 --profile-out build/release/canon40d-f11.icc
echo
echo "== the saved calibration reused without a chart"
"$pigmatch" measure data/samples/scalp-canon40d-f11.jpg --profile build/release/canon40d-f11.icc \
    --region skin=683,455,193,257
echo
echo "== recipes from that measurement: the stubble's hair seen on the client's skin (follicle,"
echo "   demo carbon line) and the neck's skin (camouflage, demo camouflage set)"
"$pigmatch" measure data/samples/scalp-canon40d-f11.jpg --profile build/release/canon40d-f11.icc \
    --region neck=948,480,180,232 --stubble scalp=683,80,433,304 --json >build/release/scalp-measure.json
"$pigmatch" match --from build/release/scalp-measure.json --region scalp \
    --catalog demo-smp-carbon --max-pigments 2 --top 3
echo
"$pigmatch" match --from build/release/scalp-measure.json --region neck \
    --catalog demo-camouflage --max-pigments 2 --top 3
echo
echo "== dark skin patch of $sample"
"$pigmatch" lab "$sample" --region 30,30,60,60
echo
echo "== light skin patch of $sample"
"$pigmatch" lab "$sample" --region 130,30,60,60
echo
echo "== CIEDE2000 between X-Rite's published dark-skin and light-skin references"
"$pigmatch" de 37.54,14.37,14.92 64.66,19.27,17.5
