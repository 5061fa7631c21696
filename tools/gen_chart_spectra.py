#!/usr/bin/env python3
"""Writes a ColorChecker description with shippable patch spectra (an experiment: not shipped).

With spectra in the chart description, `pigmatch measure` estimates the camera's spectral response
from the chart and joins measured skin reflectances to its fit ("skin training"), which is what
keeps skin true under tungsten and fluorescent light. Spectra whose licence allows shipping them:

  Psychtoolbox-3's sur_macbeth.mat (reflectances of a Macbeth ColorChecker, 380–780 nm at 5 nm),
  in Debian 12's psychtoolbox-3-common 3.0.18.12.dfsg1-1.1 at
  /usr/share/psychtoolbox-3/PsychColorimetricData/PsychColorimetricMatFiles/sur_macbeth.mat.
  Licence: Expat (MIT), Copyright 1996-2007 David Brainard, Denis Pelli, Allen Ingling,
  2005-2020 Mario Kleiner (Debian's copyright file for the package, "Files: *").

Psychtoolbox calls them "not accurate": measured on one old chart, they read 2.5 ΔE00 from
X-Rite's 2014 values on average (lighter by 2–3 L*). The spectral shapes are what the camera
estimate needs; so each patch is corrected by the smallest change proportional to its own
reflectance (R' = R + diag(R)·A·c, A the D50-weighted CIE 1931 functions) that gives exactly the
chart's default reference Lab (X-Rite 2014, D50/2°) at the 10 nm points pigmatch uses. The
file holds 0 at 380 nm for every patch (not measured there); 390 nm's value is held instead.
The script prints both figures per patch.

Result (2026-12-06), why the built-in chart still has no spectra: with this description (via
--chart-file) skin training made skin *worse* on render_photo's scenes, whose chart is BabelColor's
average spectra: plain skin against its D50 colorimetry, median of 7 cameras × 2 skins, 1.03 → 1.81
under D65, 3.03 → 3.65 under A, 1.40 → 1.72 under F11 (chart only → skin training at its default weight). One old
chart's spectra, even corrected to the published Lab, differ from another chart's by 0.02–0.09
reflectance RMS (foliage and dark skin most, above 650 nm), and the camera response estimated
from the wrong spectra misplaces skin. Skin training needs the spectra of the chart in the photo
(a studio's own measurement, --chart-file) or a licensed average of many charts.

Usage (dev tool; the product never reads these sources):
  apt-get install psychtoolbox-3-common     # 26 MB download, 650 MB installed
  tools/gen_chart_spectra.py --cie ../shared/data/cie --out CHART.json [--mat PATH]
"""
import argparse
import csv
import json
import math
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from measure_accuracy import de2000  # noqa: E402

MAT = ("/usr/share/psychtoolbox-3/PsychColorimetricData/PsychColorimetricMatFiles/"
       "sur_macbeth.mat")
GRID = list(range(380, 731, 10))  # pigmatch's spectral grid (spectrum.h)


def read_mat5(path):
    """The numeric matrices of a MATLAB 5 MAT-file: {name: (dims, values column-major)}."""
    data = open(path, "rb").read()
    endian = "<" if data[126:128] == b"IM" else ">"
    types = {1: "b", 2: "B", 3: "h", 4: "H", 5: "i", 6: "I", 7: "f", 9: "d", 12: "q", 13: "Q"}

    def elements(buf):
        p = 0
        while p + 8 <= len(buf):
            t, n = struct.unpack(endian + "II", buf[p:p + 8])
            if t >> 16:  # small element: size in the tag's upper half
                yield t & 0xFFFF, buf[p + 4:p + 4 + (t >> 16)]
                p += 8
                continue
            yield t, buf[p + 8:p + 8 + n]
            p += 8 + n + (-n % 8)

    out = {}
    for t, buf in elements(data[128:]):
        if t == 15:  # miCOMPRESSED
            t, buf = next(elements(zlib.decompress(buf)))
        if t != 14:  # miMATRIX
            continue
        parts = list(elements(buf))
        dims = struct.unpack(endian + "%di" % (len(parts[1][1]) // 4), parts[1][1])
        name = parts[2][1].decode()
        kind, raw = parts[3]
        code = types[kind]
        out[name] = (dims, struct.unpack(endian + code * (len(raw) // struct.calcsize(code)), raw))
    return out


def read_table(path):
    rows = {}
    with open(path) as f:
        reader = csv.reader(f)
        next(reader)
        for r in reader:
            rows[int(float(r[0]))] = [float(x) for x in r[1:]]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mat", default=MAT)
    parser.add_argument("--cie", default="../shared/data/cie")
    parser.add_argument("--chart", default=os.path.join(os.path.dirname(__file__), "..", "data",
                                                        "charts", "colorchecker-classic.json"),
                        help="the description to start from (read only)")
    parser.add_argument("--out", required=True, help="where to write the description with spectra")
    args = parser.parse_args()
    mat = read_mat5(args.mat)
    (rows, cols), values = mat["sur_macbeth"]
    start, step, count = (int(v) for v in mat["S_macbeth"][1])
    assert (rows, cols) == (count, 24), "expected 24 patches"
    wavelengths = [start + step * i for i in range(count)]
    raw = [[values[p * rows + wavelengths.index(w)] for w in GRID] for p in range(24)]
    for r in raw:  # the file holds 0 at 380 nm for every patch (not measured): hold 390's value
        if r[0] == 0:
            r[0] = r[1]

    cmf = read_table(os.path.join(args.cie, "CIE_xyz_1931_2deg.csv"))
    d50 = read_table(os.path.join(args.cie, "CIE_std_illum_D50.csv"))
    weights = [[d50[w][0] * cmf[w][k] for w in GRID] for k in range(3)]
    white = [sum(weights[k]) for k in range(3)]

    def xyz(r):
        return [sum(wk * rk for wk, rk in zip(weights[k], r)) / white[1] for k in range(3)]

    wn = [white[k] / white[1] for k in range(3)]

    def lab(r):
        f = lambda t: t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
        X, Y, Z = xyz(r)
        fx, fy, fz = f(X / wn[0]), f(Y / wn[1]), f(Z / wn[2])
        return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)]

    def from_lab(L, a, b):
        fy = (L + 16) / 116
        fx, fz = fy + a / 500, fy - b / 200
        g = lambda t: t ** 3 if t ** 3 > 216 / 24389 else (116 * t - 16) / (24389 / 27)
        return [wn[0] * g(fx), wn[1] * g(fy), wn[2] * g(fz)]

    chart = json.load(open(args.chart))
    reference = next(r for r in chart["references"] if r["id"] == chart["default_reference"])
    adjusted = []
    before, after = [], []
    for p in range(24):
        r = list(raw[p])
        target = from_lab(*reference["lab"][p])
        for _ in range(3):  # again after clipping
            current = xyz(r)
            # M = Aᵀ·diag(R)·A (3×3) in the units of xyz(): A columns are weights / white_Y.
            A = [[weights[k][i] / white[1] for k in range(3)] for i in range(len(GRID))]
            M = [[sum(A[i][j] * r[i] * A[i][k] for i in range(len(GRID))) for k in range(3)]
                 for j in range(3)]
            rhs = [target[k] - current[k] for k in range(3)]
            c = solve3(M, rhs)
            r = [min(1.0, max(0.0005, ri + ri * sum(A[i][k] * c[k] for k in range(3))))
                 for i, ri in enumerate(r)]
        adjusted.append([round(v, 5) for v in r])
        before.append(de2000(lab(raw[p]), reference["lab"][p]))
        after.append(de2000(lab(adjusted[-1]), reference["lab"][p]))
        print(f"{p + 1:2d} {chart['patches'][p]['name']:<22} as measured {before[-1]:.2f}  "
              f"adjusted {after[-1]:.3f} ΔE00", file=sys.stderr)
    print(f"mean ΔE00 to {reference['id']}: as measured {sum(before) / 24:.2f} (max "
          f"{max(before):.2f}), adjusted {sum(after) / 24:.3f} (max {max(after):.3f})",
          file=sys.stderr)
    chart["spectra"] = {
        "source": "Psychtoolbox-3 sur_macbeth.mat (Debian psychtoolbox-3-common "
                  "3.0.18.12.dfsg1-1.1), Expat licence, (c) 1996-2007 D. Brainard, D. Pelli, "
                  "A. Ingling, 2005-2020 M. Kleiner; each patch adjusted by the smallest change "
                  "proportional to its reflectance that gives the " + reference["id"] +
                  " Lab (D50/2°) exactly: tools/gen_chart_spectra.py",
        "wavelengths_nm": GRID,
        "reflectance": adjusted,
    }
    write_with_spectra(args.chart, args.out, chart["spectra"])


def write_with_spectra(source, path, spectra):
    """Writes `source`'s text to `path` with "spectra" (one line per patch) as its last member."""
    text = open(source).read()
    if '"spectra"' in text:  # drop the earlier block: it is the file's last member
        text = text[:text.rindex(',\n  "spectra"')] + "\n}\n"
    lines = [',\n  "spectra": {',
             f'    "source": {json.dumps(spectra["source"], ensure_ascii=False)},',
             f'    "wavelengths_nm": {json.dumps(spectra["wavelengths_nm"])},',
             '    "reflectance": [']
    rows = spectra["reflectance"]
    for i, row in enumerate(rows):
        lines.append("      " + json.dumps(row) + ("," if i + 1 < len(rows) else ""))
    lines += ["    ]", "  }", "}", ""]
    body = text.rstrip()
    assert body.endswith("}"), "the chart file must end with its closing brace"
    with open(path, "w") as f:
        f.write(body[:-1].rstrip() + "\n".join(lines))


def solve3(m, b):
    """Solves the 3×3 system m·x = b (Cramer's rule)."""
    def det(a):
        return (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]))
    d = det(m)
    out = []
    for k in range(3):
        mk = [row[:] for row in m]
        for i in range(3):
            mk[i][k] = b[i]
        out.append(det(mk) / d)
    return out


if __name__ == "__main__":
    main()
