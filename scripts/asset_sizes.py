"""The release assets' sizes as sent: the main wasm, each page group's wasm (the files the split
build's manifest lists for it), what a page of each group fetches in all, the JavaScript and
the CSS. Raw, gzip and brotli bytes, from the precompressed copies beside each file.

    python3 scripts/asset_sizes.py target/site/pkg
"""

import glob
import json
import os
import sys


def sizes(files):
    """Raw, gzip and brotli bytes of `files` together."""
    def size(path):
        return os.path.getsize(path) if os.path.exists(path) else 0
    return tuple(sum(size(f + ext) for f in files) for ext in ("", ".gz", ".br"))


def row(name, files):
    raw, gz, br = sizes(files)
    print(f"| {name} | {len(files)} | {raw:,} | {gz:,} | {br:,} |")


def main(pkg):
    os.chdir(pkg)
    found = glob.glob("__wasm_split_manifest.*.json")
    if not found:
        sys.exit(f"no split manifest in {pkg}: build with `cargo leptos build --release --precompress --split`")
    manifest = json.load(open(found[0]))
    main_wasm = [f for f in glob.glob("*.wasm") if not f.startswith(("chunk_", "split_"))]
    print("| piece | files | raw | gzip | brotli |\n|---|---:|---:|---:|---:|")
    row("main wasm", main_wasm)
    groups = {key.rsplit("_", 1)[0]: [stem + ".wasm" for stem in stems]
              for key, stems in sorted(manifest.items())}
    for group, files in groups.items():
        row(f"{group} wasm", files)
    for group, files in groups.items():
        row(f"a page in {group}: main + {group}", main_wasm + files)
    row("all the wasm", glob.glob("*.wasm"))
    row("JavaScript", glob.glob("*.js"))
    row("CSS", glob.glob("*.css"))


if __name__ == "__main__":
    main(sys.argv[1])
