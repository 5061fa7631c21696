#!/usr/bin/env python3
"""Accuracy of `pigmatch measure` on physically rendered photos with known truth.

Renders one photo per camera × illuminant (7 camspec cameras × CIE D65, D50, A, F2, F11 = 35
photos by default) with tools/render_photo into a temporary folder, runs the real
`pigmatch measure IMAGE --chart auto --chart-file RENDERED_CHART.json --json` on each with the
truth file's regions, and compares the measured CIELAB D50 with the truth (CIEDE2000, written out
below after Sharma, Wu & Dalal 2005, independently of pigmatch's own). Prints a Markdown report.

The chart description comes from render_photo --chart-out: the built-in layout with, as reference
values, the D50/2° colorimetry of the very spectra painted — as a practitioner's chart matches its
own reference values. Unless --no-xrite, every photo is measured a second time against the
built-in X-Rite 2014 values, which describe other physical charts than BabelColor's average
spectra ("chart reference mismatch").

The rendered chart description carries the painted spectra, so the product's skin training
(calibration.h: skin reflectances added to the fit through the camera's spectral response
estimated from the chart) is active; --no-chart-spectra strips them (as the built-in chart, which
has none). The skin training uses Vrhel's 16 skins, the same set the scenes draw their skins from;
--holdout adds a run in which each photo is calibrated with the scene's own skins left out of the
training (tools/holdout_calibration writes the profile, `pigmatch measure --profile` reads the
regions with it): the figure for skins the calibration has not seen.

Primary truth: the D50 colorimetry of each surface's reflectance (`lab_d50_colorimetric`, what a
spectrophotometer reads and what a chart calibration targets); secondary: the scene-adapted
truth (`lab_d50`, the reflectance under the scene light, Bradford-adapted to D50).

--light-gradient G renders the light tilted by up to ±G across the frame (0.15: about ±15 % between
chart and skin); --compensation then also measures every photo with the grey card beside the skin
(`--grey`) and with the flat field render_photo writes (`--flat-field`), and reports plain skin
against the colour as lit at the chart and against its D50 colorimetry for all three.

Usage: bench/measure_accuracy.py --build build/release [--data ../shared/data] [--photos 35]
                                 [--keep DIR] [--tiff] [--no-xrite] [--no-chart-spectra] [--holdout]
                                 [--light-gradient G] [--compensation]
Dev/benchmark tool: reads ../shared/data through render_photo; the product never does.
"""
import argparse
import collections
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

CAMERAS = ["Canon_40D", "Canon_50D", "Nikon_D700", "Nikon_D90", "Nikon_D5100", "Hasselblad_H2",
           "Point_Grey_Grasshopper2_14S5C"]
ILLUMINANTS = ["D65", "D50", "A", "F2", "F11"]


def de2000(lab1, lab2):
    """CIEDE2000 with kL = kC = kH = 1 (Sharma, Wu & Dalal 2005)."""
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dLp, dCp = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    Lp, Cp = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp = (h1p + h2p + 360) / 2
    else:
        hp = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp - 30)) + 0.24 * math.cos(math.radians(2 * hp))
         + 0.32 * math.cos(math.radians(3 * hp + 6)) - 0.20 * math.cos(math.radians(4 * hp - 63)))
    d_theta = 30 * math.exp(-(((hp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(Cp ** 7 / (Cp ** 7 + 25 ** 7))
    sl = 1 + 0.015 * (Lp - 50) ** 2 / math.sqrt(20 + (Lp - 50) ** 2)
    sc = 1 + 0.045 * Cp
    sh = 1 + 0.015 * Cp * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dLp / sl) ** 2 + (dCp / sc) ** 2 + (dHp / sh) ** 2
                     + rt * (dCp / sc) * (dHp / sh))


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def corner_error(measured, truth):
    """Largest distance (px) between measured and true corners, both in the chart's order."""
    return max(math.dist(m, t) for m, t in zip(measured, truth))


def measure(pigmatch, image, truth, chart_args):
    result = run([pigmatch, "measure", image, *chart_args, "--json", *truth["measure_args"]])
    if result.returncode != 0:
        return None, result.stderr.strip()
    return json.loads(result.stdout), ""


def evaluate(out, truth):
    regions = {r["name"]: r for r in out["regions"]}
    row = {"plain": [], "plain_scene": [], "plain_lab": []}
    for t in truth["regions"]:
        m = regions[t["name"]]
        if t["kind"] == "hair":  # the cut lock of hair beside the chart: pure hair, as read
            row["hair_swatch"] = de2000(m["lab_d50"], t["lab_d50_colorimetric"])
        elif t["kind"] == "plain":
            row["plain"].append(de2000(m["lab_d50"], t["lab_d50_colorimetric"]))
            row["plain_scene"].append(de2000(m["lab_d50"], t["lab_d50"]))
            row["plain_lab"].append(m["lab_d50"])
        else:
            row["hair"] = de2000(m["hair"]["lab_d50"], t["hair"]["lab_d50_colorimetric"])
            row["hair_scene"] = de2000(m["hair"]["lab_d50"], t["hair"]["lab_d50"])
            row["stubble_skin"] = de2000(m["skin"]["lab_d50"], t["skin"]["lab_d50_colorimetric"])
            row["coverage_error"] = abs(m["hair"]["coverage"] - t["coverage"])
            row["separated"] = m["hair"].get("separated", True)
    cal = out["calibration"]
    row["loo"] = cal.get("loo_mean_de00")
    row["fit_mean"] = cal.get("mean_de00")
    row["model"] = cal.get("model")
    row["encoding"] = (cal.get("encoding") or {}).get("read")
    if cal.get("corners"):
        row["corner_px"] = corner_error(cal["corners"], truth["chart"]["corners"])
    return row


def vrhel_number(sample):
    """'82: skin -- East indian (dark)' → 82."""
    return int(sample.split(":")[0])


def holdout_row(pigmatch, holdout, image, truth, chart_file):
    """Calibrates with the scene's own skins left out of the skin training, then measures."""
    excluded = {vrhel_number(r["sample"]) for r in truth["regions"] if r["kind"] == "plain"}
    excluded |= {vrhel_number(r["skin"]["sample"]) for r in truth["regions"] if r["kind"] == "stubble"}
    profile = image + ".holdout.icc"
    cmd = [holdout, image, "--chart-file", chart_file, "--profile-out", profile]
    for n in sorted(excluded):
        cmd += ["--exclude-skin", str(n)]
    calibrated = run(cmd)
    if calibrated.returncode != 0:
        print(f"{image}: holdout calibration failed: {calibrated.stderr.strip()}", file=sys.stderr)
        return {"failed": True}
    out, error = measure(pigmatch, image, truth, ["--profile", profile])
    if out is None:
        print(f"{image}: measure --profile failed: {error}", file=sys.stderr)
        return {"failed": True}
    out["calibration"] = json.loads(calibrated.stdout)
    row = evaluate(out, truth)
    row["failed"] = False
    row["excluded"] = sorted(excluded)
    return row


def measure_row(pigmatch, image, truth, chart_file):
    """Measures `image` (chart found automatically, else from the true corners) and evaluates it."""
    chart_args = ["--chart-file", chart_file] if chart_file else []
    out, error = measure(pigmatch, image, truth, ["--chart", "auto", *chart_args])
    found = out is not None
    if not found:
        # Still measure accuracy, with the true corners given as the user would.
        corners = ",".join(f"{x},{y}" for x, y in truth["chart"]["corners"])
        out, error2 = measure(pigmatch, image, truth, ["--chart", corners, *chart_args])
        if out is None:
            print(f"{image}: measure failed: {error}; {error2}", file=sys.stderr)
            return {"auto": False, "failed": True}
    row = evaluate(out, truth)
    row.update({"auto": found, "failed": False})
    return row


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    q = sorted(values)
    p90 = q[min(len(q) - 1, int(math.ceil(0.9 * len(q))) - 1)]
    return f"{statistics.median(q):.2f} / {statistics.mean(q):.2f} / {p90:.2f} / {q[-1]:.2f}"


def print_heic_against_jpeg(rows):
    """The same photo as HEIC and as JPEG: how far apart their plain skins measure."""
    by_photo = collections.defaultdict(dict)
    for r in rows:
        if not r["failed"]:
            by_photo[r["index"]][r["variant"]] = r
    pairs = [p for p in by_photo.values() if "heic" in p and "jpeg" in p]
    same = [p for p in pairs if p["heic"].get("model") == p["jpeg"].get("model")]
    apart = lambda sel: [de2000(a, b) for p in sel
                         for a, b in zip(p["jpeg"]["plain_lab"], p["heic"]["plain_lab"])]
    print(f"\n#### HEIC against the same photo's JPEG ({len(pairs)} photos)\n")
    print("| figure | median / mean / p90 / max |")
    print("|---|---|")
    print(f"| plain skin, HEIC vs JPEG (ΔE00, 2 regions per photo) | {summary(apart(pairs))} |")
    print(f"| … where both chose the same calibration model ({len(same)}/{len(pairs)}) | "
          f"{summary(apart(same))} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--photos", type=int, default=len(CAMERAS) * len(ILLUMINANTS))
    parser.add_argument("--keep", help="render into this folder and keep the photos")
    parser.add_argument("--tiff", action="store_true",
                        help="also measure each photo's 16-bit linear TIFF variant")
    parser.add_argument("--no-xrite", dest="xrite", action="store_false",
                        help="skip the second measurement against X-Rite's 2014 reference values")
    parser.add_argument("--no-chart-spectra", dest="chart_spectra", action="store_false",
                        help="strip the painted spectra from the rendered chart description "
                             "(no skin training, as with the built-in chart)")
    parser.add_argument("--spectra-from", metavar="CHART.json",
                        help="give the rendered chart description this description's spectra "
                             "(e.g. data/charts/colorchecker-classic.json: the built-in chart's "
                             "reconstructed spectra, without its reference-value mismatch)")
    parser.add_argument("--light-gradient", type=float, default=None,
                        help="render_photo --light-gradient (default: its own, ±3 %%)")
    parser.add_argument("--compensation", action="store_true",
                        help="also measure with the grey card and with the flat field")
    parser.add_argument("--style", choices=["srgb", "linear", "camera"], default="srgb",
                        help="render_photo --style: the capture style (issue 14)")
    parser.add_argument("--exposure", type=float, default=None,
                        help="render_photo --exposure (0.3: a white patch near 25 %% of full scale)")
    parser.add_argument("--white-balance", choices=["scene", "daylight"], default="scene",
                        help="render_photo --white-balance (daylight: a cast under other lights)")
    parser.add_argument("--space", choices=["srgb", "p3", "adobe", "rec2020"], default="srgb",
                        help="render_photo --space: the RGB the photo is written in")
    parser.add_argument("--heic", type=int, choices=[8, 10], default=None,
                        help="also measure each photo as a phone's HEIC (render_photo --heic) and "
                             "compare its skin with the JPEG's")
    parser.add_argument("--chart-width", type=float, default=None,
                        help="render_photo --chart-width: the patch field's share of the frame width")
    parser.add_argument("--size", default=None, metavar="WxH",
                        help="render_photo --width/--height (default its own 1200x800)")
    parser.add_argument("--glare", type=float, default=None,
                        help="render_photo --glare: glare on one chart patch (0.15: 15 %% of white)")
    parser.add_argument("--holdout", action="store_true",
                        help="also calibrate each photo with its own skins left out of the skin "
                             "training (needs the holdout_calibration target)")
    args = parser.parse_args()
    pigmatch = os.path.join(args.build, "cli", "pigmatch")
    render = os.path.join(args.build, "tools", "render_photo")
    holdout = os.path.join(args.build, "tools", "holdout_calibration")
    for exe in (pigmatch, render) + ((holdout,) if args.holdout else ()):
        if not os.access(exe, os.X_OK):
            sys.exit(f"measure_accuracy: {exe} not found; build the pigmatch and render_photo targets")

    folder = args.keep or tempfile.mkdtemp(prefix="pigmatch-accuracy-")
    os.makedirs(folder, exist_ok=True)
    rows = []
    for index in range(args.photos):
        camera = CAMERAS[index % len(CAMERAS)]
        illuminant = ILLUMINANTS[(index // len(CAMERAS)) % len(ILLUMINANTS)]
        seed = 100 + index
        prefix = os.path.join(folder, f"{index:02d}-{camera}-{illuminant}")
        chart_file = os.path.join(folder, "rendered-chart.json")
        rendered = run([render, "--data", args.data, "--out", prefix, "--camera", camera,
                        "--illuminant", illuminant, "--seed", str(seed), "--chart-out", chart_file]
                       + (["--tiff"] if args.tiff else [])
                       + (["--light-gradient", str(args.light_gradient)]
                          if args.light_gradient is not None else [])
                       + (["--flat"] if args.compensation else [])
                       + ["--style", args.style, "--white-balance", args.white_balance,
                          "--space", args.space]
                       + (["--heic", str(args.heic)] if args.heic else [])
                       + (["--glare", str(args.glare)] if args.glare else [])
                       + (["--chart-width", str(args.chart_width)] if args.chart_width else [])
                       + (["--width", args.size.split("x")[0], "--height", args.size.split("x")[1]]
                          if args.size else [])
                       + (["--exposure", str(args.exposure)] if args.exposure else []))
        if rendered.returncode != 0:
            sys.exit(f"render_photo failed: {rendered.stderr}")
        if not args.chart_spectra or args.spectra_from:
            with open(chart_file) as f:
                chart = json.load(f)
            chart.pop("spectra", None)
            if args.spectra_from:
                with open(args.spectra_from) as f:
                    chart["spectra"] = json.load(f)["spectra"]
            with open(chart_file, "w") as f:
                json.dump(chart, f)
        with open(prefix + ".truth.json") as f:
            truth = json.load(f)
        variants = ([("jpeg", prefix + ".jpg")]
                    + ([("tiff", prefix + "-linear.tif")] if args.tiff else [])
                    + ([("heic", prefix + ".heic")] if args.heic else []))
        for variant, image in variants:
            row = measure_row(pigmatch, image, truth, chart_file)
            row.update({"index": index, "camera": camera, "illuminant": illuminant, "variant": variant,
                        "upside_down": truth["chart"]["upside_down"]})
            if args.xrite:
                row["xrite"] = measure_row(pigmatch, image, truth, None)
            if args.compensation and variant == "jpeg":
                x, y, w, h = truth["grey_card"]["rect"]
                card = f"card={x},{y},{w},{h}:{truth['grey_card']['lightness']}"
                for name, extra in (("grey", ["--grey", card]),
                                    ("flat", ["--flat-field", prefix + "-flat.jpg"])):
                    out, error = measure(pigmatch, image, truth,
                                         ["--chart", "auto", "--chart-file", chart_file, *extra])
                    row[name] = evaluate(out, truth) if out else None
                    if out is None:
                        print(f"{image}: measure {name} failed: {error}", file=sys.stderr)
            if args.holdout:
                row["holdout"] = holdout_row(pigmatch, holdout, image, truth, chart_file)
            rows.append(row)
            if not row["failed"]:
                print(f"{os.path.basename(image)}: auto={row['auto']} "
                      f"plain={['%.2f' % v for v in row['plain']]} "
                      f"hair={row.get('hair', float('nan')):.2f} loo={row['loo']}", file=sys.stderr)

    for variant in ["jpeg"] + (["tiff"] if args.tiff else []) + (["heic"] if args.heic else []):
        vrows = [r for r in rows if r["variant"] == variant]
        ok = [r for r in vrows if not r["failed"]]
        found = sum(1 for r in vrows if r["auto"])
        print(f"\n#### {variant.upper()} ({len(vrows)} photos)\n")
        print("| figure (ΔE00 unless stated) | median / mean / p90 / max |")
        print("|---|---|")
        print(f"| chart found automatically | {found}/{len(vrows)} ({100 * found / len(vrows):.0f} %) |")
        print(f"| **plain skin vs D50 colorimetry** (2 regions per photo) | "
              f"{summary([v for r in ok for v in r['plain']])} |")
        print(f"| plain skin vs scene-adapted truth | {summary([v for r in ok for v in r['plain_scene']])} |")
        print(f"| stubble hair vs D50 colorimetry | {summary([r.get('hair') for r in ok])} |")
        print(f"| stubble hair vs scene-adapted truth | {summary([r.get('hair_scene') for r in ok])} |")
        print(f"| stubble skin vs D50 colorimetry | {summary([r.get('stubble_skin') for r in ok])} |")
        print(f"| stubble coverage, absolute error | {summary([r.get('coverage_error') for r in ok])} |")
        print(f"| hair separated | {sum(1 for r in ok if r.get('separated'))}/{len(ok)} |")
        print(f"| calibration leave-one-out mean | {summary([r.get('loo') for r in ok])} |")
        print(f"| calibration fit mean (chart) | {summary([r.get('fit_mean') for r in ok])} |")
        print(f"| chart corners, worst corner error (px, auto only) | "
              f"{summary([r.get('corner_px') for r in ok if r['auto']])} |")
        for name, label in (("grey", "grey card beside the skin"), ("flat", "flat field")):
            comp = [r[name] for r in ok if r.get(name)]
            if comp:
                print(f"| light compensated by a {label}: plain skin vs D50 colorimetry | "
                      f"{summary([v for r in comp for v in r['plain']])} |")
                print(f"| light compensated by a {label}: plain skin vs the colour as lit at the "
                      f"chart | {summary([v for r in comp for v in r['plain_scene']])} |")
        xr = [r["xrite"] for r in ok if "xrite" in r and not r["xrite"]["failed"]]
        if xr:
            print(f"| chart reference mismatch (X-Rite 2014 values): plain skin vs D50 colorimetry | "
                  f"{summary([v for r in xr for v in r['plain']])} |")
            print(f"| chart reference mismatch: stubble hair vs D50 colorimetry | "
                  f"{summary([r.get('hair') for r in xr])} |")
            print(f"| chart reference mismatch: calibration leave-one-out mean | "
                  f"{summary([r.get('loo') for r in xr])} |")
        ho = [r["holdout"] for r in ok if "holdout" in r and not r["holdout"]["failed"]]
        if ho:
            print(f"| held-out skins (scene's skins left out of the skin training): plain skin vs D50 "
                  f"colorimetry ({len(ho)} photos) | {summary([v for r in ho for v in r['plain']])} |")
            print(f"| held-out skins: stubble hair vs D50 colorimetry | "
                  f"{summary([r.get('hair') for r in ho])} |")
            print(f"| held-out skins: stubble skin vs D50 colorimetry | "
                  f"{summary([r.get('stubble_skin') for r in ho])} |")
            print(f"| held-out skins: calibration leave-one-out mean | "
                  f"{summary([r.get('loo') for r in ho])} |")
        print("\nMedian by illuminant (plain skin vs D50 colorimetry / vs scene-adapted truth / "
              "stubble hair / calibration LOO / plain skin with X-Rite 2014 values):\n")
        print("| illuminant | plain skin | plain skin, scene-adapted | stubble hair | LOO | "
              "plain skin, X-Rite ref. | plain skin, held-out skins | auto |")
        print("|---|---|---|---|---|---|---|---|")
        for ill in ILLUMINANTS:
            sel = [r for r in ok if r["illuminant"] == ill]
            if not sel:
                continue
            med = lambda values: f"{statistics.median(values):.2f}" if values else "–"
            plain = med([v for r in sel for v in r["plain"]])
            scene = med([v for r in sel for v in r["plain_scene"]])
            hair = med([r["hair"] for r in sel if "hair" in r])
            loo = med([r["loo"] for r in sel if r.get("loo") is not None])
            xrite = med([v for r in sel if "xrite" in r and not r["xrite"]["failed"]
                         for v in r["xrite"]["plain"]])
            held_out = med([v for r in sel if "holdout" in r and not r["holdout"]["failed"]
                            for v in r["holdout"]["plain"]])
            auto = sum(1 for r in vrows if r["illuminant"] == ill and r["auto"])
            total = sum(1 for r in vrows if r["illuminant"] == ill)
            print(f"| {ill} | {plain} | {scene} | {hair} | {loo} | {xrite} | {held_out} | "
                  f"{auto}/{total} |")
        if args.compensation:
            print("\nLight compensated, median by illuminant (plain skin vs D50 colorimetry):\n")
            print("| illuminant | not compensated | grey card beside the skin | flat field |")
            print("|---|---|---|---|")
            for ill in ILLUMINANTS:
                sel = [r for r in ok if r["illuminant"] == ill]
                if not sel:
                    continue
                med = lambda values: f"{statistics.median(values):.2f}" if values else "–"
                cells = [med([v for r in sel for v in r["plain"]])]
                for name in ("grey", "flat"):
                    cells.append(med([v for r in sel if r.get(name) for v in r[name]["plain"]]))
                print(f"| {ill} | {' | '.join(cells)} |")
        models = collections.Counter(r.get("model") for r in ok)
        print(f"\nCalibration models chosen: {', '.join(f'{k} × {v}' for k, v in sorted(models.items(), key=str))}")
        encodings = collections.Counter(r.get("encoding") for r in ok)
        print(f"Pixels read: {', '.join(f'{k} × {v}' for k, v in sorted(encodings.items(), key=str))}")
    if args.heic:
        print_heic_against_jpeg(rows)
    if not args.keep:
        print(f"\n(photos rendered in {folder})", file=sys.stderr)


if __name__ == "__main__":
    main()
