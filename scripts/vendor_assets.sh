#!/usr/bin/env bash
# Copy Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers (the assets folium's Map
# links to a CDN), and Chart.js (the indicators dashboard), from the npm registry into
# web/static/vendor/, so the planner map and the dashboard work offline. Versions are pinned
# in package.json / package-lock.json (the folium assets to match folium 0.20).
# Run from anywhere; the Makefile target `vendor` calls it. See docs: stack-notes §3.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --ignore-scripts --no-audit --no-fund

NM=node_modules
V=web/static/vendor
# Start clean so an upgrade never leaves stale files behind (the folder is git-ignored).
rm -rf "$V"
mkdir -p "$V"/{leaflet,jquery,bootstrap,fontawesome/css,awesome-markers,chartjs}

# Keep the relative layout: the CSS files point at images/ and ../webfonts/.
cp -r "$NM"/leaflet/dist/{leaflet.js,leaflet.css,images} "$V"/leaflet/
cp "$NM"/jquery/dist/jquery.min.js "$V"/jquery/
cp "$NM"/bootstrap/dist/js/bootstrap.bundle.min.js "$NM"/bootstrap/dist/css/bootstrap.min.css \
   "$V"/bootstrap/
cp "$NM"/@fortawesome/fontawesome-free/css/all.min.css "$V"/fontawesome/css/
cp -r "$NM"/@fortawesome/fontawesome-free/webfonts "$V"/fontawesome/
cp -r "$NM"/drmonty-leaflet-awesome-markers/css/* \
      "$NM"/drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers.min.js "$V"/awesome-markers/
# The UMD build bundles its one dependency (@kurkle/color) and defines the global Chart.
cp "$NM"/chart.js/dist/chart.umd.js "$NM"/chart.js/LICENSE.md "$V"/chartjs/

# folium's leaflet.awesome.rotate.css has no npm package; it is one rule per angle.
for i in $(seq 0 360); do
  printf '.fa-rotate-%d{transform:rotate(%ddeg);}\n' "$i" "$i"
done > "$V"/awesome-markers/leaflet.awesome.rotate.css

echo "Vendored assets into $V ($(du -sh "$V" | cut -f1))"
