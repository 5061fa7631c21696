#!/usr/bin/env python3
"""A large synthetic pigmatch catalog (2 500 pigments, 4 dilution steps each, 20 product lines,
about 9 MB of JSON) for measuring how pigmatch copes with a vendor's full range
(bench/RESULTS.md, "Large catalogs"). Illustrative spectra, not measurements.

    python3 tools/make_large_catalog.py OUT.json
"""
import sys
import json, random, math
random.seed(1)
pig=[]
for i in range(2500):
    base=[0.05+0.6*random.random() for _ in range(3)]
    def spec(c):
        out=[]
        for b in range(36):
            t=b/35
            v=base[0]*(1-t)+base[1]*t+0.1*math.sin(6*t+base[2]*5)
            v=max(0.02,min(0.95,v))
            r=v*c+0.85*(1-c)
            out.append(round(r,5))
        return out
    pig.append({"code":f"P{i:04d}","name":f"Pigment {i}","product_line":f"Line {i%20}",
                "measurements":[{"concentration":c,"substrate":"white card","reflectance":spec(c)} for c in (1,0.5,0.25,0.1)],
                "drop_volume_ml":0.05})
pig.append({"code":"DIL","name":"Diluent","is_diluent":True})
cat={"format":"pigmatch-catalog","format_version":1,"id":"big","vendor":"Big","name":"Big","uses":["smp"],"pigments":pig}
open(sys.argv[1] if len(sys.argv) > 1 else 'large-catalog.json','w').write(json.dumps(cat,indent=2))
