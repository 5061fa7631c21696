#!/usr/bin/env python3
"""Generates the ILLUSTRATIVE demo catalogs in data/catalogs/ (python3 standard library only).

    python3 tools/gen_demo_catalogs.py [OUTPUT_DIR]    # default: data/catalogs next to tools/

The spectra are modelled, not measured (see data/catalogs/README.md):

- Each colorant has absorption K(λ) and scattering S(λ) per unit concentration and film
  thickness, shaped by hand after the published character of the pigment: carbon black absorbs
  strongly and almost flatly and scatters weakly, more in the blue (so thin films look bluish
  grey); the iron oxides absorb below an
  absorption edge (a logistic step: red oxide ~590 nm, yellow oxide ~500 nm) and scatter
  moderately; titanium dioxide scatters strongly and absorbs only in the near UV (edge ~400 nm);
  black iron oxide absorbs broadly with a slight rise in the blue.
- A mixture's K and S are the concentration-weighted sums (two-constant Kubelka–Munk); the
  diluent adds neither.
- A measurement is a drawdown of thickness X over a white card, with the Kubelka–Munk
  finite-layer formula
      R = (1 − Rg·(a − b·coth(b·S·X))) / (a − Rg + b·coth(b·S·X)),  a = 1 + K/S, b = √(a² − 1),
  so dilutions fade towards the card, as in a real dilution series. The film's surface:
  - the SMP line, which lists its K and S, uses Saunderson's correction (k1 = 0.04, k2 = 0.60)
    both ways between body and measured reflectance (Rg is the card's body reflectance): the
    optics under which pigmatch's km model reads listed K and S (docs/models.md), so that they
    reproduce the line's own dilution series;
  - the camouflage set, which lists none (pigmatch derives them from its dilution series), adds
    a constant 0.03 for first-surface reflection to R (a crude Saunderson-type term), the model
    its colours were shaped under.
"""

import json
import math
import os
import re
import sys

WAVELENGTHS = [380 + 10 * i for i in range(36)]
SURFACE = 0.03  # the camouflage set's first-surface term
# The SMP line's film surface, as pigmatch's km model (docs/models.md): external k1, internal k2.
SAUNDERSON_K1 = 0.04
SAUNDERSON_K2 = 0.60
FILM_X = 1.0
ILLUSTRATIVE = ("ILLUSTRATIVE demo data, not a vendor's measurements: spectra modelled with "
                "two-constant Kubelka-Munk (see data/catalogs/README.md and "
                "tools/gen_demo_catalogs.py).")


def logistic(wl, edge, width, low, high):
    """low below the edge → high above it (or the reverse when low > high)."""
    return low + (high - low) / (1.0 + math.exp(-(wl - edge) / width))


def card(wl):
    """A white drawdown card: ~0.88, falling a little in the violet (no optical brightener)."""
    return logistic(wl, 405, 12, 0.72, 0.88)


# Per unit concentration: (K(λ), S(λ)).
COLORANTS = {
    "carbon_black": (lambda wl: 3.0 * (560.0 / wl) ** 0.05, lambda wl: 0.08 * (560.0 / wl)),
    "red_iron_oxide": (lambda wl: logistic(wl, 590, 14, 22.0, 0.35),
                       lambda wl: 1.6 + 0.6 * (560.0 / wl)),
    "yellow_iron_oxide": (lambda wl: logistic(wl, 505, 15, 18.0, 0.6),
                          lambda wl: 1.8 + 0.7 * (560.0 / wl)),
    "black_iron_oxide": (lambda wl: 20.0 * (560.0 / wl) ** 0.2, lambda wl: 1.2),
    "titanium_dioxide": (lambda wl: logistic(wl, 398, 6, 6.0, 0.02),
                         lambda wl: 6.0 * (560.0 / wl) ** 1.2),
}


def ks(recipe, wl):
    k = sum(c * COLORANTS[name][0](wl) for name, c in recipe.items())
    s = sum(c * COLORANTS[name][1](wl) for name, c in recipe.items())
    return k, s


def film(k, s, rg):
    """Kubelka's finite layer of thickness FILM_X over a background of reflectance rg."""
    a = 1.0 + k / s
    b = math.sqrt(a * a - 1.0)
    coth = 1.0 / math.tanh(b * s * FILM_X)
    return (1.0 - rg * (a - b * coth)) / (a - rg + b * coth)


def to_body(measured):
    """Saunderson (1942) inverted: the body reflectance under a surface of k1, k2."""
    excess = measured - SAUNDERSON_K1
    return excess / ((1 - SAUNDERSON_K1) * (1 - SAUNDERSON_K2) + SAUNDERSON_K2 * excess)


def to_measured(body):
    """Saunderson (1942): what a spectrophotometer (specular included) sees of a body."""
    return (SAUNDERSON_K1 + (1 - SAUNDERSON_K1) * (1 - SAUNDERSON_K2) * body /
            (1 - SAUNDERSON_K2 * body))


def drawdown(recipe, concentration, saunderson):
    """Reflectance of a film of `recipe` diluted to `concentration` over the white card, with
    Saunderson's surface or (saunderson False) the simple first-surface term."""
    out = []
    for wl in WAVELENGTHS:
        k, s = ks(recipe, wl)
        k, s = k * concentration, s * concentration
        if saunderson:
            r = to_measured(film(k, s, to_body(card(wl))))
        else:
            r = film(k, s, card(wl))
            r = r + SURFACE * (1.0 - r)
        out.append(round(min(1.0, r), 4))
    return out


def ks_spectra(recipe):
    pairs = [ks(recipe, wl) for wl in WAVELENGTHS]
    return [round(k, 4) for k, _ in pairs], [round(s, 4) for _, s in pairs]


# ---- the SMP line (JSON) ----------------------------------------------------------------------

SMP_SHADES = [(100, "SMP-K100"), (75, "SMP-K75"), (50, "SMP-K50"), (25, "SMP-K25"),
              (10, "SMP-K10")]
SMP_DILUTIONS = [1.0, 0.5, 0.25, 0.1]


def smp_catalog():
    pigments = []
    for n, (strength, code) in enumerate(SMP_SHADES):
        recipe = {"carbon_black": strength / 100.0}
        k, s = ks_spectra(recipe)
        pigments.append({
            "code": code,
            "name": f"Carbon Black {strength} %",
            "product_line": "Demo SMP Carbon",
            "ci_numbers": ["CI 77266"],
            "measurements": [
                {"concentration": c, "substrate": "white drawdown card, wet film",
                 "reflectance": drawdown(recipe, c, saunderson=True)}
                for c in SMP_DILUTIONS
            ],
            "k": k,
            "s": s,
            "drop_volume_ml": 0.05,
            "price": {"amount": 29.0 - 2.0 * n, "currency": "EUR", "volume_ml": 15},
            "lots": [{"lot": f"DSMP-{strength:03d}-2409", "expiry": "2027-09-30"},
                     {"lot": f"DSMP-{strength:03d}-2503", "expiry": "2028-03"}],
            "compliance": ["EU REACH 2020/2081"],
            "sds_reference": f"SDS-DEMO-{code} rev 1 (illustrative)",
        })
    pigments.append({
        "code": "SMP-DIL",
        "name": "Diluent (distilled water, witch hazel, glycerin)",
        "product_line": "Demo SMP Carbon",
        "is_diluent": True,
        "k": [0.0] * 36,
        "s": [0.0] * 36,
        "drop_volume_ml": 0.05,
        "price": {"amount": 12.0, "currency": "EUR", "volume_ml": 30},
        "lots": [{"lot": "DDIL-2410", "expiry": "2027-10-31"}],
        "compliance": ["EU REACH 2020/2081"],
        "sds_reference": "SDS-DEMO-SMP-DIL rev 1 (illustrative)",
    })
    return {
        "format": "pigmatch-catalog",
        "format_version": 1,
        "_comment": ILLUSTRATIVE,
        "id": "demo-smp-carbon",
        "vendor": "Demo Pigments (illustrative)",
        "name": "Demo SMP carbon-black line",
        "version": "2025.1",
        "description": "Carbon black (CI 77266) pre-diluted to 100/75/50/25/10 % and a diluent. "
                       + ILLUSTRATIVE,
        "uses": ["smp"],
        "pigments": pigments,
    }


# ---- the camouflage set (CGATS) ---------------------------------------------------------------

CAMOUFLAGE = [
    ("CAM-RIO", "Red Iron Oxide", ["CI 77491"], {"red_iron_oxide": 1.0}),
    ("CAM-YIO", "Yellow Iron Oxide", ["CI 77492"], {"yellow_iron_oxide": 1.0}),
    ("CAM-BIO", "Black Iron Oxide", ["CI 77499"], {"black_iron_oxide": 1.0}),
    ("CAM-TIW", "Titanium Dioxide White", ["CI 77891"], {"titanium_dioxide": 1.0}),
    ("CAM-FL1", "Flesh Tone Light", ["CI 77891", "CI 77492", "CI 77491"],
     {"titanium_dioxide": 0.80, "yellow_iron_oxide": 0.12, "red_iron_oxide": 0.08}),
    ("CAM-FL2", "Flesh Tone Medium", ["CI 77891", "CI 77492", "CI 77491", "CI 77499"],
     {"titanium_dioxide": 0.55, "yellow_iron_oxide": 0.25, "red_iron_oxide": 0.17,
      "black_iron_oxide": 0.03}),
    ("CAM-FL3", "Flesh Tone Deep", ["CI 77491", "CI 77492", "CI 77499", "CI 77891"],
     {"red_iron_oxide": 0.35, "yellow_iron_oxide": 0.30, "black_iron_oxide": 0.10,
      "titanium_dioxide": 0.25}),
]
CAMO_DILUTIONS = [1.0, 0.5, 0.25]


def camouflage_cgats():
    spectral = [f"SPECTRAL_{wl}" for wl in WAVELENGTHS]
    fields = (["SAMPLE_ID", "PIGMENT_CODE", "PIGMENT_NAME", "CI_NUMBERS", "CONCENTRATION",
               "DROP_VOLUME_ML", "PRICE", "PRICE_VOLUME_ML", "LOTS", "SDS_REFERENCE", "IS_DILUENT"]
              + spectral)
    rows = []
    n = 0
    for index, (code, name, ci, recipe) in enumerate(CAMOUFLAGE):
        for c in CAMO_DILUTIONS:
            n += 1
            lots = f"DCAM-{index + 1:02d}-2411@2027-11-30;DCAM-{index + 1:02d}-2504@2028-04"
            values = [str(n), code, f'"{name}"', f'"{"; ".join(ci)}"', f"{c:g}", "0.05",
                      f"{24.0 + 1.5 * index:.2f}", "10", f'"{lots}"',
                      f'"SDS-DEMO-{code} rev 2 (illustrative)"', "0"]
            values += [f"{v:.4f}" for v in drawdown(recipe, c, saunderson=False)]
            rows.append("\t".join(values))
    n += 1
    diluent = [str(n), "CAM-DIL", '"Camouflage Diluent (glycerin, witch hazel)"', "-", "-",
               "0.05", "11.00", "30", '"DCDL-2410@2027-10-31"',
               '"SDS-DEMO-CAM-DIL rev 1 (illustrative)"', "1"] + ["-"] * len(spectral)
    rows.append("\t".join(diluent))
    header = [
        "CGATS.17",
        "# " + ILLUSTRATIVE,
        'ORIGINATOR\t"tools/gen_demo_catalogs.py"',
        'PIGMATCH_CATALOG_FORMAT\t"1"',
        'CATALOG_ID\t"demo-camouflage"',
        'VENDOR\t"Demo Pigments (illustrative)"',
        'CATALOG_NAME\t"Demo scar-camouflage skin tones"',
        'CATALOG_VERSION\t"2025.1"',
        f'DESCRIPTOR\t"Iron oxides, titanium dioxide and three flesh tones. {ILLUSTRATIVE}"',
        'PRODUCT_LINE\t"Demo Camouflage"',
        'SUBSTRATE\t"white drawdown card, wet film"',
        'CURRENCY\t"EUR"',
        'COMPLIANCE\t"EU REACH 2020/2081"',
        'USES\t"camouflage"',
        f"NUMBER_OF_FIELDS\t{len(fields)}",
        "BEGIN_DATA_FORMAT",
        "\t".join(fields),
        "END_DATA_FORMAT",
        f"NUMBER_OF_SETS\t{len(rows)}",
        "BEGIN_DATA",
    ]
    return "\n".join(header + rows + ["END_DATA", ""])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "catalogs")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "demo-smp-carbon.json"), "w", encoding="utf-8") as f:
        text = json.dumps(smp_catalog(), indent=2, ensure_ascii=False)
        # One line per spectrum rather than one per number.
        text = re.sub(r"\[\s+([-0-9.e,\s]+?)\s+\]",
                      lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)
        f.write(text + "\n")
    with open(os.path.join(out, "demo-camouflage.cgats"), "w", encoding="utf-8") as f:
        f.write(camouflage_cgats())


if __name__ == "__main__":
    main()
