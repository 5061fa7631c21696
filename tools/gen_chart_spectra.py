#!/usr/bin/env python3
"""Gives the built-in ColorChecker description patch spectra reconstructed from Munsell chips.

With spectra in the chart description, `pigmatch measure` estimates the camera's spectral response
from the chart and joins measured skin reflectances to its fit ("skin training"), which keeps skin
true under tungsten and fluorescent light. The ColorChecker's published spectra (BabelColor's
average of 30 charts) may not be shipped; this writes spectra that may:

  Each patch's reflectance is the non-negative combination of the Munsell chips nearest to it in
  CIELAB (D50/2°) whose colorimetry is closest to the patch's published Lab (X-Rite 2014, the
  chart's default reference): a least-squares match of XYZ with a small ridge on the weights
  (Lawson–Hanson NNLS). The ColorChecker was made to Munsell notations with paint pigments, so
  Munsell chips carry the spectral shapes of such pigments, which a smoothness prior does not.

  Source: 462 Munsell chips measured by Nickerson, Psychtoolbox-3's sur_nickerson.mat (400–700 nm
  at 5 nm; 380, 390 and 710–730 nm hold the 400 and 700 nm values), in Debian 12's
  psychtoolbox-3-common 3.0.18.12.dfsg1-1.1 at
  /usr/share/psychtoolbox-3/PsychColorimetricData/PsychColorimetricMatFiles/sur_nickerson.mat.
  Licence: Expat (MIT), Copyright 1996-2007 David Brainard, Denis Pelli, Allen Ingling,
  2005-2020 Mario Kleiner (Debian's copyright file for the package, "Files: *"); the notice is in
  THIRD_PARTY.md.

Patches outside the chips' gamut (blue, cyan) are left at the nearest colour the chips reach:
forcing them onto the published Lab (R' = R + diag(R)·A·c) read held-out skin slightly worse in
tools/skin_calibration_study. The calibration's targets are the reference Lab in any case; the
spectra only shape the camera response estimate. The script prints each patch's ΔE00 to its
reference and, given --babelcolor, the RMS difference from BabelColor's average (a check only).

Tried before and not shipped: Psychtoolbox's sur_macbeth.mat (one old Macbeth chart, corrected to
the 2014 Lab) made held-out skin worse than no spectra at all (bench/RESULTS.md).

Usage (dev tool; the product never reads these sources):
  apt-get install psychtoolbox-3-common     # 26 MB download, 650 MB installed
  tools/gen_chart_spectra.py --cie ../shared/data/cie [--neighbours 30] [--out CHART.json]
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
       "sur_nickerson.mat")
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


def nnls(a, b, iterations=200):
    """Lawson–Hanson non-negative least squares: argmin |a·x − b| with x ≥ 0 (a: rows of lists)."""
    n = len(a[0])
    x = [0.0] * n
    passive = [False] * n

    def gradient(v):
        r = [bi - sum(aij * vj for aij, vj in zip(row, v)) for row, bi in zip(a, b)]
        return [sum(row[j] * ri for row, ri in zip(a, r)) for j in range(n)]

    def solve_passive():
        idx = [j for j in range(n) if passive[j]]
        m = [[sum(row[p] * row[q] for row in a) for q in idx] for p in idx]
        rhs = [sum(row[p] * bi for row, bi in zip(a, b)) for p in idx]
        z = [0.0] * n
        for j, v in zip(idx, solve(m, rhs)):
            z[j] = v
        return z

    for _ in range(iterations):
        g = gradient(x)
        candidates = [j for j in range(n) if not passive[j] and g[j] > 1e-12]
        if not candidates:
            break
        passive[max(candidates, key=lambda j: g[j])] = True
        while True:
            z = solve_passive()
            if all(z[j] > 0 for j in range(n) if passive[j]):
                x = z
                break
            alpha = min(x[j] / (x[j] - z[j]) for j in range(n) if passive[j] and z[j] <= 0)
            x = [xj + alpha * (zj - xj) for xj, zj in zip(x, z)]
            for j in range(n):
                if passive[j] and x[j] <= 1e-15:
                    passive[j], x[j] = False, 0.0
    return x


def solve(m, b):
    """Solves m·x = b by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [bi] for row, bi in zip(m, b)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [vr - f * vc for vr, vc in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def read_skins(path):
    """Vrhel's 16 skin reflectances (the hair samples left out) on GRID; 380 nm holds 390's."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    by_nm = {round(float(r[0])): [float(v) for v in r[1:]] for r in rows[1:] if r}
    columns = [i for i, label in enumerate(rows[0][1:]) if "hair" not in label.lower()]
    return [[by_nm[max(w, 390)][c] for w in GRID] for c in columns]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mat", default=MAT)
    parser.add_argument("--cie", default="../shared/data/cie")
    parser.add_argument("--neighbours", type=int, default=30,
                        help="Munsell chips combined per patch (nearest in CIELAB)")
    parser.add_argument("--skins", default="../shared/data/skin-hair",
                        help="folder of vrhel1994_skin_hair_390-730_2nm.csv (the skin patches' basis)")
    parser.add_argument("--babelcolor", help="BabelColor's average spectra CSV, to compare with")
    parser.add_argument("--chart", default=os.path.join(os.path.dirname(__file__), "..", "data",
                                                        "charts", "colorchecker-classic.json"),
                        help="the description to give spectra")
    parser.add_argument("--out", help="where to write it (default: over --chart)")
    args = parser.parse_args()
    mat = read_mat5(args.mat)
    (rows, cols), values = mat["sur_nickerson"]
    start, step, count = (int(v) for v in mat["S_nickerson"][1])
    wavelengths = [start + step * i for i in range(count)]
    measured = [w for w in GRID if 400 <= w <= 700]  # the file holds 0 outside 400–700 nm
    chips = []
    for c in range(cols):
        v = {w: values[c * rows + wavelengths.index(w)] for w in measured}
        chips.append([v[min(max(w, 400), 700)] for w in GRID])

    cmf = read_table(os.path.join(args.cie, "CIE_xyz_1931_2deg.csv"))
    d50 = read_table(os.path.join(args.cie, "CIE_std_illum_D50.csv"))
    weights = [[d50[w][0] * cmf[w][k] for w in GRID] for k in range(3)]
    white = [sum(weights[k]) for k in range(3)]
    wn = [white[k] / white[1] for k in range(3)]

    def xyz(r):
        return [sum(wk * rk for wk, rk in zip(weights[k], r)) / white[1] for k in range(3)]

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

    skins = read_skins(os.path.join(args.skins, "vrhel1994_skin_hair_390-730_2nm.csv"))
    chip_lab = [lab(c) for c in chips]
    babel = read_table(args.babelcolor) if args.babelcolor else None
    chart = json.load(open(args.chart))
    reference = next(r for r in chart["references"] if r["id"] == chart["default_reference"])
    spectra, errors = [], []
    for p, target_lab in enumerate(reference["lab"]):
        target = from_lab(*target_lab)
        if "skin" in chart["patches"][p]["name"]:
            basis = skins  # McCamy et al. made these two patches spectrally like human skin
        else:
            near = sorted(range(cols), key=lambda c: math.dist(chip_lab[c], target_lab))
            basis = [chips[c] for c in near[:args.neighbours]]
        # XYZ rows scaled up so they dominate the small ridge that keeps the weights determinate.
        a = [[1000 * v for v in column] for column in zip(*(xyz(b) for b in basis))]
        a += [[0.01 if i == j else 0.0 for j in range(len(basis))] for i in range(len(basis))]
        w = nnls(a, [1000 * t for t in target] + [0.0] * len(basis))
        r = [min(1.0, sum(wj * b[i] for wj, b in zip(w, basis))) for i in range(len(GRID))]
        spectra.append([round(v, 5) for v in r])
        errors.append(de2000(lab(spectra[-1]), target_lab))
        line = (f"{p + 1:2d} {chart['patches'][p]['name']:<22} {errors[-1]:5.2f} ΔE00 to "
                f"{reference['id']} ({sum(1 for v in w if v > 0)} of {len(basis)} spectra)")
        if babel:
            diff = [r[i] - babel[wl][p] for i, wl in enumerate(GRID) if 400 <= wl <= 700]
            line += f", RMS {math.sqrt(sum(d * d for d in diff) / len(diff)):.3f} from BabelColor"
        print(line, file=sys.stderr)
    print(f"mean {sum(errors) / 24:.2f} ΔE00, max {max(errors):.2f}", file=sys.stderr)
    spectra_block = {
        "source": "Reconstructed, not measured: per patch the non-negative combination closest to "
                  "the " + reference["id"] + " Lab (D50/2°) of the " + str(args.neighbours) +
                  " Munsell chips nearest to it (Nickerson), or for dark and light skin of 16 "
                  "human skin reflectances (Vrhel, Gershon & Iwan 1994); both from "
                  "Psychtoolbox-3, Expat licence, see THIRD_PARTY.md. "
                  "tools/gen_chart_spectra.py",
        "wavelengths_nm": GRID,
        "reflectance": spectra,
    }
    write_with_spectra(args.chart, args.out or args.chart, spectra_block)


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


if __name__ == "__main__":
    main()
