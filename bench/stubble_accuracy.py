#!/usr/bin/env python3
"""Stubble at real follicle scale: hair colour, coverage and refusals of `pigmatch measure`.

Renders photos with tools/render_photo over the conditions a phone photo of a scalp spans
(issue 13): follicles 1–2, 2–3 and 3–4 px across (minor diameter; aspect up to 1.3, touching),
coverage 0.2–0.45, lens PSF σ 0.5–1.0 px, JPEG 4:2:0 and 4:2:2, seven cameras and four lights,
and five hair/skin contrasts (black hair on light skin, brown on light, black on dark skin, grey on
medium and dark, blonde on medium). Each photo is measured by the real `pigmatch measure --chart
auto --json` with the truth's regions plus the plain skin region measured as stubble too (it must
be refused: plain skin is never stubble).

Reports per dot size and per contrast: hair ΔE00 (against the colour as lit, Bradford-adapted to
D50, and against D50 colorimetry; and against a cut lock of the same hair placed beside the chart
and read as a plain region through the same calibration, which isolates the separation from the
calibration's own error on dark colours) median and p90, coverage absolute error, refused regions, the
stubble region's skin against the plain skin beside it; and the plain-skin refusals.

Usage: bench/stubble_accuracy.py --build build/release [--data ../shared/data] [--seeds 3]
                                 [--keep DIR] [--builtin-chart] [--dots 1,2 2,3 3,4]
Dev/benchmark tool: reads ../shared/data through render_photo; the product never does.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure_accuracy import CAMERAS, de2000, run  # noqa: E402

ILLUMINANTS = ["D65", "A", "D50", "F11"]
# (label, hair, Vrhel skins of the scalp)
CONTRASTS = [
    ("black on light skin", "black", [88, 106, 86, 116]),
    ("brown on light skin", "brown", [88, 96, 104, 112]),
    ("black on dark skin", "black", [82, 100, 110]),
    ("grey on medium/dark skin", "grey", [94, 84, 100, 110]),
    ("blonde on medium skin", "blonde", [94, 114, 92, 84]),
]


def p90(values):
    q = sorted(values)
    return q[min(len(q) - 1, max(0, int(round(0.9 * len(q) + 0.4999)) - 1))]


def cell(values, digits=2):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{statistics.median(values):.{digits}f} / {p90(values):.{digits}f}"


def measure_photo(pigmatch, prefix, truth, chart_file):
    skin = next(r for r in truth["regions"] if r["name"] == "skin")
    x, y, w, h = skin["rect"]
    args = [pigmatch, "measure", prefix + ".jpg", "--chart", "auto", "--json",
            *truth["measure_args"], "--stubble", f"plainskin={x},{y},{w},{h}"]
    if chart_file:
        args += ["--chart-file", chart_file]
    result = run(args)
    if result.returncode != 0:
        corners = ",".join(f"{cx},{cy}" for cx, cy in truth["chart"]["corners"])
        args[args.index("auto")] = corners
        result = run(args)
        if result.returncode != 0:
            return None, result.stderr.strip()
    return json.loads(result.stdout), ""


def evaluate(out, truth):
    regions = {r["name"]: r for r in out["regions"]}
    stubble = next(r for r in truth["regions"] if r["kind"] == "stubble")
    m = regions[stubble["name"]]
    hair = m["hair"]
    plain = regions["plainskin"]
    swatch = regions["hairswatch"]["lab_d50"]  # pure hair read through the same calibration
    row = {
        "separated": hair["separated"],
        "hair_vs_swatch": de2000(hair["lab_d50"], swatch) if hair["separated"] else None,
        "swatch_lit": de2000(swatch, stubble["hair"]["lab_d50"]),
        "plain_refused": not plain["hair"]["separated"],
        "skin_vs_plain": de2000(m["skin"]["lab_d50"], regions["skin"]["lab_d50"]),
        "coverage_error": abs(hair["coverage"] - stubble["coverage"]) if hair["separated"] else None,
        "hair_lit": de2000(hair["lab_d50"], stubble["hair"]["lab_d50"]) if hair["separated"] else None,
        "hair_colorimetric": (de2000(hair["lab_d50"], stubble["hair"]["lab_d50_colorimetric"])
                              if hair["separated"] else None),
        "uncertainty": hair.get("separation_uncertainty_de00"),
        "confidence": hair.get("confidence"),
        "coverage": stubble["coverage"],
        "loo": out["calibration"].get("loo_mean_de00"),
        "warning": (m.get("warnings") or [""])[0],
    }
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--seeds", type=int, default=3, help="photos per dot size and contrast")
    parser.add_argument("--dots", nargs="+", default=["1,2", "2,3", "3,4"],
                        help="minor-diameter ranges, px")
    parser.add_argument("--keep", help="render into this folder and keep the photos")
    parser.add_argument("--builtin-chart", action="store_true",
                        help="calibrate with the built-in chart instead of the rendered one")
    args = parser.parse_args()
    pigmatch = os.path.join(args.build, "cli", "pigmatch")
    render = os.path.join(args.build, "tools", "render_photo")
    for exe in (pigmatch, render):
        if not os.access(exe, os.X_OK):
            sys.exit(f"stubble_accuracy: {exe} not found; build pigmatch and render_photo")
    folder = args.keep or tempfile.mkdtemp(prefix="pigmatch-stubble-")
    os.makedirs(folder, exist_ok=True)

    rows = []
    index = 0
    for dots in args.dots:
        for label, hair, skins in CONTRASTS:
            for k in range(args.seeds):
                camera = CAMERAS[index % len(CAMERAS)]
                illuminant = ILLUMINANTS[index % len(ILLUMINANTS)]
                subsampling = "420" if index % 2 == 0 else "422"
                skin = skins[k % len(skins)]
                seed = 500 + index
                index += 1
                prefix = os.path.join(folder, f"{index:03d}-{dots.replace(',', '-')}px-{hair}-{skin}")
                chart_file = None if args.builtin_chart else os.path.join(folder, "chart.json")
                cmd = [render, "--data", args.data, "--out", prefix, "--camera", camera,
                       "--illuminant", illuminant, "--seed", str(seed), "--dot-diameter", dots,
                       "--hair", hair, "--skin", str(skin), "--subsampling", subsampling]
                if chart_file:
                    cmd += ["--chart-out", chart_file]
                rendered = run(cmd)
                if rendered.returncode != 0:
                    sys.exit(f"render_photo failed: {rendered.stderr}")
                with open(prefix + ".truth.json") as f:
                    truth = json.load(f)
                out, error = measure_photo(pigmatch, prefix, truth, chart_file)
                if out is None:
                    print(f"{prefix}: measure failed: {error}", file=sys.stderr)
                    rows.append({"dots": dots, "contrast": label, "failed": True})
                    continue
                row = evaluate(out, truth)
                row.update({"dots": dots, "contrast": label, "failed": False,
                            "camera": camera, "illuminant": illuminant,
                            "subsampling": subsampling})
                rows.append(row)
                hair_de = row["hair_lit"]
                print(f"{os.path.basename(prefix)} {camera} {illuminant} {subsampling}: "
                      f"hair {'refused' if hair_de is None else f'{hair_de:.2f}'} "
                      f"cov {truth['regions'][2]['coverage']:.2f} err "
                      f"{row['coverage_error'] if row['coverage_error'] is None else round(row['coverage_error'], 3)} "
                      f"±{row['uncertainty']:.2f} plain refused {row['plain_refused']} "
                      f"skin/plain {row['skin_vs_plain']:.2f} {row['warning']}", file=sys.stderr)

    ok = [r for r in rows if not r["failed"]]
    print(f"\n{len(rows)} photos, {len(rows) - len(ok)} not measured.\n")
    print("| dots (minor Ø, px) | contrast | hair ΔE00 as lit, median / p90 | hair ΔE00 vs D50 "
          "colorimetry | hair vs the cut lock of hair in frame | that lock vs as lit | "
          "coverage error, median / p90 | refused | stubble skin vs plain skin |")
    print("|---|---|---|---|---|---|---|---|---|")

    def line(sel, dots, label):
        refused = sum(1 for r in sel if not r["separated"])
        print(f"| {dots} | {label} | {cell([r['hair_lit'] for r in sel])} | "
              f"{cell([r['hair_colorimetric'] for r in sel])} | "
              f"{cell([r['hair_vs_swatch'] for r in sel])} | {cell([r['swatch_lit'] for r in sel])} | "
              f"{cell([r['coverage_error'] for r in sel], 3)} | {refused}/{len(sel)} | "
              f"{cell([r['skin_vs_plain'] for r in sel])} |")

    for dots in args.dots:
        for label, _, _ in CONTRASTS:
            sel = [r for r in ok if r["dots"] == dots and r["contrast"] == label]
            if sel:
                line(sel, dots, label)
        line([r for r in ok if r["dots"] == dots], dots, "**all**")
    line(ok, "all", "**all**")
    plain = sum(1 for r in ok if r["plain_refused"])
    print(f"\nPlain skin measured as stubble: refused in {plain}/{len(ok)} photos.")
    print(f"Stubble regions with coverage ≥ 0.2 refused: "
          f"{sum(1 for r in ok if not r['separated'] and r['coverage'] >= 0.2)}/"
          f"{sum(1 for r in ok if r['coverage'] >= 0.2)}.")
    if not args.keep:
        print(f"\n(photos rendered in {folder})", file=sys.stderr)


if __name__ == "__main__":
    main()
