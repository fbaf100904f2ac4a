"""`newsmap batch`: the pipeline on a Dask LocalCluster, written as GeoParquet."""

from __future__ import annotations

import json

import geopandas as gpd

from layers.cli import main


def test_batch_writes_geoparquet_per_article(tmp_path, seed_text):
    corpus = tmp_path / "corpus.jsonl"
    docs = [
        {"id": "seed", "text": seed_text, "date": "2024-09-11"},
        {"id": "najaf", "text": "Pilgrims crowded the Imam Ali shrine in Najaf."},
        {"id": "none", "text": "No place is named in this sentence."},
    ]
    corpus.write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")
    out = tmp_path / "sites.parquet"
    assert main(["batch", str(corpus), "-o", str(out), "--workers", "1", "--chunk-size", "2"]) == 0
    frame = gpd.read_parquet(out)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["article_id"]) == {"seed", "najaf"}
    seed = frame[frame["article_id"] == "seed"]
    assert "geonames:95446" in set(seed["feature_id"])
    najaf = frame[frame["article_id"] == "najaf"]
    assert {"geonames:98860", "site:imam-ali-shrine"} <= set(najaf["feature_id"])
    evidence = json.loads(najaf[najaf["feature_id"] == "geonames:98860"]["evidence"].iloc[0])
    assert evidence[0]["text"] == "Najaf"
