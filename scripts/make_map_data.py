"""Extract the ASEAN Member States' boundaries from Natural Earth (npm world-atlas) into data/maps/ as GeoJSON.

Run once when the boundaries or the membership change:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_map_data.py package/countries-50m.json

The 1:50m scale keeps Singapore and Brunei visible; coordinates are rounded to 0.01° (about 1 km), plenty for a
regional map, so the file stays small. Natural Earth is in the public domain; world-atlas is ISC-licensed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "maps" / "asean.geojson"
# ISO 3166-1 numeric code (world-atlas feature id) -> ISO3 code used by the project.
ASEAN_NUMERIC = {"096": "BRN", "116": "KHM", "360": "IDN", "418": "LAO", "458": "MYS", "104": "MMR",
                 "608": "PHL", "702": "SGP", "764": "THA", "704": "VNM", "626": "TLS"}
DECIMALS = 2


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc as absolute lon/lat points (TopoJSON stores quantised deltas)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])  # consecutive arcs share their end point
    rounded = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in points]
    deduplicated = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    if deduplicated[0] != deduplicated[-1]:
        deduplicated.append(deduplicated[0])
    return deduplicated


def _polygons(geometry: dict, arcs) -> list[list[list[list[float]]]]:
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    polygons = []
    for polygon in parts:
        rings = [_ring(r, arcs) for r in polygon]
        rings = [r for r in rings if len(r) >= 4]  # islets under the rounding vanish
        if rings:
            polygons.append(rings)
    return polygons


def extract(topology: dict) -> dict:
    """Return a GeoJSON FeatureCollection of the ASEAN Member States, id = ISO3 code."""
    arcs = _decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        iso3 = ASEAN_NUMERIC.get(str(geometry.get("id")))
        if iso3 is None:
            continue
        polygons = _polygons(geometry, arcs)
        features.append({"type": "Feature", "id": iso3,
                         "properties": {"iso3": iso3, "natural_earth_name": geometry["properties"]["name"]},
                         "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    missing = set(ASEAN_NUMERIC.values()) - {f["id"] for f in features}
    if missing:
        raise SystemExit(f"not found in the topology: {sorted(missing)}")
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection",
            "source": "Natural Earth 1:50m admin-0 countries (public domain), via npm world-atlas 2.0.2",
            "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries_json", type=Path, help="world-atlas countries-50m.json")
    args = parser.parse_args()
    collection = extract(json.loads(args.countries_json.read_text(encoding="utf-8")))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(collection['features'])} countries to {OUT.relative_to(ROOT)} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
