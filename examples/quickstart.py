"""Score the small built-in data set and print each district's score, rank and band."""

import egov_score as eg
from egov_score import datasets

folder = datasets.path("small")  # or the folder of your own files
fw = eg.Framework.from_toml(folder / "framework.toml")
units = eg.Hierarchy.from_csv(folder / "units.csv", fw.levels)
values = eg.Values.from_csv(folder / "values.csv", units, fw)
result = eg.score(units, fw, values, period="2021-01")

districts = result.level("district")
for name, score, rank, band in zip(
    districts.names, districts.score, districts.rank, districts.band_label, strict=True
):
    print(f"{rank}. {name}: {score:.1f} ({band})")
print(result.unit("D-087").band)
