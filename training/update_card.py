#!/usr/bin/python3
"""Rewrite the checksum table of the model card (models/README.md) from the manifest(s) in models/.

    /usr/bin/python3 training/update_card.py [models/]

The Java engine refuses any graph whose SHA-256 differs from the card's, so run this after every
export. The table sits between the markers <!-- checksums:begin --> and <!-- checksums:end -->.
"""
import glob
import hashlib
import json
import os
import re
import sys

models = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
rows = ["| file | sha256 | bytes |", "|---|---|---|"]
for manifest in sorted(glob.glob(os.path.join(models, "*.json"))):
    m = json.load(open(manifest))
    if "graphs" not in m:
        continue  # validation results beside the manifest
    files = [g["file"] for g in m["graphs"].values()] + [os.path.basename(manifest)]
    pt = m["name"] + ".pt"
    if os.path.exists(os.path.join(models, pt)):
        files.append(pt)
    for f in files:
        p = os.path.join(models, f)
        h = hashlib.sha256(open(p, "rb").read()).hexdigest()
        rows.append(f"| `{f}` | `{h}` | {os.path.getsize(p)} |")
card = os.path.join(models, "README.md")
text = open(card).read() if os.path.exists(card) else "# Model card\n\n<!-- checksums:begin -->\n<!-- checksums:end -->\n"
block = "<!-- checksums:begin -->\n" + "\n".join(rows) + "\n<!-- checksums:end -->"
text = re.sub(r"<!-- checksums:begin -->.*?<!-- checksums:end -->", lambda _: block, text, flags=re.S)
open(card, "w").write(text)
print("\n".join(rows))
