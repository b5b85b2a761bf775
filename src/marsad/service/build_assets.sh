#!/usr/bin/env bash
# Re-vendor the dashboard's front-end files from the npm registry into static/vendor/.
#
# The dashboard must make no request outside the marsad server (no tiles, no CDN), so
# every third-party file it loads is copied here, minified, with its licence. Versions are
# pinned in assets/package.json and assets/package-lock.json; run this after changing them:
#     bash src/marsad/service/build_assets.sh
# It needs node + npm; nothing here runs at install or serve time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/assets/package.json" "$here/assets/package-lock.json" "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
nm="$work/node_modules"
rm -rf "$out" && mkdir -p "$out/leaflet" "$out/leaflet.markercluster" "$out/topojson-client" "$out/world-atlas" "$out/noto-naskh-arabic" "$out/swagger-ui"
# Leaflet (BSD-2-Clause): the map; country outlines are drawn as GeoJSON vector layers, no tiles.
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$out/leaflet/"
# Leaflet.markercluster (MIT): every event of the filters on the map, places grouped by zoom level.
cp "$nm/leaflet.markercluster/dist/leaflet.markercluster.js" "$nm/leaflet.markercluster/dist/MarkerCluster.css" \
   "$nm/leaflet.markercluster/MIT-LICENCE.txt" "$out/leaflet.markercluster/"
# topojson-client (ISC): TopoJSON -> GeoJSON in the browser.
cp "$nm/topojson-client/dist/topojson-client.min.js" "$nm/topojson-client/LICENSE" "$out/topojson-client/"
# world-atlas (ISC; Natural Earth data, public domain): 1:50m country outlines.
cp "$nm/world-atlas/countries-50m.json" "$nm/world-atlas/LICENSE" "$out/world-atlas/"
# Noto Naskh Arabic (OFL-1.1): a font that shapes Arabic well whatever the system has.
for w in 400 700; do
  cp "$nm/@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-$w-normal.woff2" "$out/noto-naskh-arabic/"
done
cp "$nm/@fontsource/noto-naskh-arabic/LICENSE" "$out/noto-naskh-arabic/"
# Swagger UI (Apache-2.0): the /docs page, initialised by static/docs.js (no inline script, so the CSP holds).
cp "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$nm/swagger-ui-dist/swagger-ui.css" "$nm/swagger-ui-dist/LICENSE" \
   "$nm/swagger-ui-dist/NOTICE" "$out/swagger-ui/"
# Strip the source-map comment: the maps are not shipped, and a missing map is a 404 in the console.
sed -i -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
  "$out/leaflet/leaflet.js" "$out/leaflet.markercluster/leaflet.markercluster.js" "$out/swagger-ui/swagger-ui-bundle.js" "$out/swagger-ui/swagger-ui.css"
du -sh "$out"
