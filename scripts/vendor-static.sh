#!/usr/bin/env bash
# Refresh the vendored front-end files in static/vendor/ from the npm registry.
#
#   bash scripts/vendor-static.sh        (or: make vendor)
#
# The portal runs on an intranet without internet access, so every front-end
# asset is served from our own static files; nothing is loaded from a CDN.
# This script is the only thing that writes static/vendor/: it downloads the
# pinned package versions with `npm pack` into a temporary directory, copies
# only the files the portal uses (plus each package's licence), checks that
# every url() and sourceMappingURL in the copied files resolves to a copied
# file, regenerates static/vendor/README.md and then replaces static/vendor/.
# It leaves no node_modules/ or package.json behind, and running it twice
# gives byte-identical output.
#
# To upgrade a package: change its version below (newest stable: `npm view PKG
# version`), set its integrity to the value of `npm view PKG@VERSION
# dist.integrity` and run the script.
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_INTEGRITY="sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w=="

SARABUN_VERSION="5.3.0"
SARABUN_INTEGRITY="sha512-8GWxnEIG9g/2JlZxU+APaVwipcLMkZkBps9N1tEyBxXWaJEnAtHpuaDYmFVG7lzTgr28orG7//htD/rfxDlfFg=="
# Per-weight CSS files of @fontsource/sarabun to take (400, 500, 700 normal and
# 400 italic) and the unicode subsets to keep from them. The per-weight CSS also
# declares other subsets (vietnamese, latin-ext); their @font-face blocks are
# dropped so that every url() in sarabun.css points to a copied font file.
SARABUN_STYLES="400 500 700 400-italic"
SARABUN_SUBSETS="thai latin"

HTMX_VERSION="2.0.11"
HTMX_INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="

CHARTJS_VERSION="4.6.1"
CHARTJS_INTEGRITY="sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="

# jsQR (Apache-2.0): decodes QR codes from camera frames in plain JavaScript, with no worker, WebAssembly or network,
# so it runs under the portal's CSP and offline; static/js/scanner.js drives the camera around it.
JSQR_VERSION="1.4.0"
JSQR_INTEGRITY="sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A=="
# axe-core is for the browser tests only (tests/browser/test_accessibility.py injects it); no page loads it.
AXE_CORE_VERSION="4.14.1"
AXE_CORE_INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO_ROOT/static/vendor"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kmportal-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/vendor"   # the new static/vendor/, built here and checked first
mkdir -p "$STAGE"

# Byte-for-byte stable output whatever the caller's locale and umask.
export LC_ALL=C
umask 022

die() {
    echo "vendor-static: error: $*" >&2
    exit 1
}

command -v npm >/dev/null || die "npm is not installed"
command -v node >/dev/null || die "node is not installed"

# fetch NAME VERSION INTEGRITY -> prints the directory of the extracted package
fetch() {
    local name="$1" version="$2" integrity="$3"
    local dir="$WORK/pkg/${name//\//_}"
    mkdir -p "$dir"
    local json
    if ! json="$(cd "$dir" && npm pack "$name@$version" --json --ignore-scripts \
        --pack-destination "$dir" 2>"$dir/npm.log")"; then
        cat "$dir/npm.log" >&2
        die "npm pack $name@$version failed"
    fi
    local got tarball
    got="$(node -e 'const j = JSON.parse(process.argv[1]); console.log(j[0].integrity)' "$json")"
    tarball="$(node -e 'const j = JSON.parse(process.argv[1]); console.log(j[0].filename)' "$json")"
    [[ "$got" == "$integrity" ]] ||
        die "$name@$version: integrity $got does not match the pinned $integrity"
    tar -xzf "$dir/$tarball" -C "$dir"
    [[ -f "$dir/package/package.json" ]] || die "$name@$version: no package/package.json in the tarball"
    echo "$dir/package"
}

# copy SRC_FILE DEST_FILE: a plain 0644 copy.
copy() {
    [[ -f "$1" ]] || die "missing file in package: $1"
    install -D -m 0644 "$1" "$2"
}

# copy_license PKG_DIR DEST_DIR: the package's licence file, under its own name.
copy_license() {
    local f
    for f in LICENSE LICENSE.md LICENSE.txt LICENCE OFL.txt; do
        if [[ -f "$1/$f" ]]; then
            copy "$1/$f" "$2/$f"
            return
        fi
    done
    die "no licence file in $1"
}

# copy_with_map SRC_FILE DEST_DIR: the file, plus the map its sourceMappingURL names.
copy_with_map() {
    local src="$1" destdir="$2" map
    copy "$src" "$destdir/$(basename "$src")"
    map="$(grep -o 'sourceMappingURL=[^ *]*' "$src" | tail -n 1 | cut -d= -f2- || true)"
    if [[ -n "$map" && "$map" != data:* ]]; then
        copy "$(dirname "$src")/$map" "$destdir/$map"
    fi
}

pkg_field() {
    node -e 'console.log(require(process.argv[1])[process.argv[2]])' "$1/package.json" "$2"
}

# Rows of README.md's table: "name|version|licence|dir".
README_ROWS=()
add_row() {
    local name="$1" pkg="$2" dir="$3"
    README_ROWS+=("$name|$(pkg_field "$pkg" version)|$(pkg_field "$pkg" license)|$dir")
}

# --- bootstrap ---------------------------------------------------------------
echo "vendor-static: bootstrap@$BOOTSTRAP_VERSION"
pkg="$(fetch bootstrap "$BOOTSTRAP_VERSION" "$BOOTSTRAP_INTEGRITY")"
copy_with_map "$pkg/dist/css/bootstrap.min.css" "$STAGE/bootstrap"
copy_with_map "$pkg/dist/js/bootstrap.bundle.min.js" "$STAGE/bootstrap"
copy_license "$pkg" "$STAGE/bootstrap"
add_row bootstrap "$pkg" bootstrap

# --- @fontsource/sarabun -----------------------------------------------------
echo "vendor-static: @fontsource/sarabun@$SARABUN_VERSION"
pkg="$(fetch @fontsource/sarabun "$SARABUN_VERSION" "$SARABUN_INTEGRITY")"
out="$STAGE/sarabun/sarabun.css"
mkdir -p "$STAGE/sarabun"
{
    echo "/* Sarabun (SIL OFL 1.1), from @fontsource/sarabun@$SARABUN_VERSION."
    echo " * Generated by scripts/vendor-static.sh: do not edit."
    echo " * Styles: $SARABUN_STYLES. Subsets: $SARABUN_SUBSETS. */"
} >"$out"
subset_re="$(echo "$SARABUN_SUBSETS" | tr ' ' '|')"
for style in $SARABUN_STYLES; do
    css="$pkg/$style.css"
    [[ -f "$css" ]] || die "missing $css"
    # Keep the @font-face blocks ("/* sarabun-SUBSET-WEIGHT-STYLE */ @font-face {...}")
    # of the wanted subsets, in the package's order, one blank line between blocks.
    blocks="$(awk -v re="^/[*] sarabun-($subset_re)-[0-9]+-(normal|italic) [*]/\$" '
        /^\/\* sarabun-.* \*\/$/ { keep = ($0 ~ re) }
        keep && NF { print; if ($0 ~ /^}/) print "" }
    ' "$css")"
    want="$(wc -w <<<"$SARABUN_SUBSETS")"
    got="$(grep -c '@font-face' <<<"$blocks" || true)"
    [[ "$got" -eq "$want" ]] || die "$css: found $got @font-face blocks for subsets '$SARABUN_SUBSETS', expected $want"
    printf '\n%s\n' "$blocks" >>"$out"
done
# Copy exactly the font files sarabun.css references, at the relative paths it uses.
while IFS= read -r ref; do
    ref="${ref#./}"
    copy "$pkg/$ref" "$STAGE/sarabun/$ref"
done < <(grep -o 'url([^)]*)' "$out" | sed -e 's/^url(//' -e 's/)$//' -e "s/^[\"']//" -e "s/[\"']\$//" | sort -u)
copy_license "$pkg" "$STAGE/sarabun"
add_row @fontsource/sarabun "$pkg" sarabun

# --- htmx.org ----------------------------------------------------------------
echo "vendor-static: htmx.org@$HTMX_VERSION"
pkg="$(fetch htmx.org "$HTMX_VERSION" "$HTMX_INTEGRITY")"
copy_with_map "$pkg/dist/htmx.min.js" "$STAGE/htmx"
copy_license "$pkg" "$STAGE/htmx"
add_row htmx.org "$pkg" htmx

# --- chart.js ----------------------------------------------------------------
echo "vendor-static: chart.js@$CHARTJS_VERSION"
pkg="$(fetch chart.js "$CHARTJS_VERSION" "$CHARTJS_INTEGRITY")"
chart=""
for f in dist/chart.umd.js dist/chart.umd.min.js; do
    if [[ -f "$pkg/$f" ]]; then chart="$pkg/$f"; break; fi
done
[[ -n "$chart" ]] || die "chart.js@$CHARTJS_VERSION ships no dist/chart.umd.js or dist/chart.umd.min.js"
copy_with_map "$chart" "$STAGE/chartjs"
copy_license "$pkg" "$STAGE/chartjs"
add_row chart.js "$pkg" chartjs

# --- jsqr --------------------------------------------------------------------
echo "vendor-static: jsqr@$JSQR_VERSION"
pkg="$(fetch jsqr "$JSQR_VERSION" "$JSQR_INTEGRITY")"
copy "$pkg/dist/jsQR.js" "$STAGE/jsqr/jsQR.js"
copy_license "$pkg" "$STAGE/jsqr"
add_row jsqr "$pkg" jsqr
# --- axe-core (tests only) ---------------------------------------------------
echo "vendor-static: axe-core@$AXE_CORE_VERSION"
pkg="$(fetch axe-core "$AXE_CORE_VERSION" "$AXE_CORE_INTEGRITY")"
copy_with_map "$pkg/axe.min.js" "$STAGE/axe-core"
copy_license "$pkg" "$STAGE/axe-core"
copy "$pkg/LICENSE-3RD-PARTY.txt" "$STAGE/axe-core/LICENSE-3RD-PARTY.txt"
add_row axe-core "$pkg" axe-core

# --- checks ------------------------------------------------------------------
# Every url() in the copied CSS and every sourceMappingURL in the copied CSS/JS
# must name a copied file (Django's ManifestStaticFilesStorage fails collectstatic
# otherwise), and nothing may point off the server.
errors=0
while IFS= read -r -d '' file; do
    dir="$(dirname "$file")"
    rel="${file#"$STAGE"/}"
    refs=""
    if [[ "$file" == *.css ]]; then
        if grep -q '@import' "$file"; then
            echo "vendor-static: $rel: unexpected @import" >&2
            errors=$((errors + 1))
        fi
        refs="$(grep -o 'url([^)]*)' "$file" | sed -e 's/^url(//' -e 's/)$//' -e "s/^[\"' ]*//" -e "s/[\"' ]*\$//" || true)"
    fi
    maps="$(grep -o 'sourceMappingURL=[^ *]*' "$file" | cut -d= -f2- || true)"
    while IFS= read -r ref; do
        [[ -z "$ref" || "$ref" == data:* || "$ref" == \#* ]] && continue
        if [[ "$ref" == *://* || "$ref" == //* || "$ref" == /* ]]; then
            echo "vendor-static: $rel: external or absolute reference: $ref" >&2
            errors=$((errors + 1))
            continue
        fi
        target="$dir/${ref%%[?#]*}"
        if [[ ! -f "$target" ]]; then
            echo "vendor-static: $rel: references $ref, which was not copied" >&2
            errors=$((errors + 1))
        fi
    done <<<"$refs"$'\n'"$maps"
done < <(find "$STAGE" -type f \( -name '*.css' -o -name '*.js' \) -print0 | sort -z)
[[ "$errors" -eq 0 ]] || die "$errors unresolved reference(s); static/vendor/ left unchanged"

# --- README.md ---------------------------------------------------------------
{
    echo "# Vendored front-end files"
    echo
    echo "Generated by \`scripts/vendor-static.sh\`: do not edit by hand. Refresh with \`bash scripts/vendor-static.sh\` (or \`make vendor\`); the pinned versions are at the top of that script."
    echo "Everything the portal's pages load is served from these static files: nothing is loaded from a CDN."
    echo "axe-core is for the browser tests only (\`tests/browser/test_accessibility.py\`); no page loads it."
    echo
    echo "| Package | Version | Licence (SPDX) | Files | Source |"
    echo "| --- | --- | --- | --- | --- |"
    for row in "${README_ROWS[@]}"; do
        IFS='|' read -r name version license dir <<<"$row"
        files="$(cd "$STAGE" && find "$dir" -type f | sort | sed 's/.*/`&`/' | paste -sd ',' - | sed 's/,/, /g')"
        echo "| $name | $version | $license | $files | npm: \`$name@$version\` |"
    done
    echo
    echo "## File sizes (bytes)"
    echo
    echo "| File | Bytes |"
    echo "| --- | ---: |"
    (cd "$STAGE" && find . -type f ! -name README.md | sed 's|^\./||' | sort | while IFS= read -r f; do
        echo "| \`$f\` | $(wc -c <"$f" | tr -d ' ') |"
    done)
} >"$STAGE/README.md"

# --- replace static/vendor/ --------------------------------------------------
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -R "$STAGE" "$DEST"
echo "vendor-static: wrote $(find "$DEST" -type f | wc -l) files to static/vendor/ ($(du -sh "$DEST" | cut -f1))"
