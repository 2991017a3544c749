"""Open a project `geogrid qgis` wrote with QGIS's own bindings and report every layer.

Run it with the Python that has QGIS (Debian: `apt-get install --no-install-recommends
python3-qgis qgis-providers`, then `QT_QPA_PLATFORM=offscreen /usr/bin/python3
bench/qgis_open.py maps/qgis/geogrid.qgs`): it prints each layer's validity, feature count,
renderer and label font, renders the project to a PNG beside it, and exits 1 if a layer is
not valid. It imports nothing of geogrid (QGIS's Python is not geogrid's).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize


def main(path: str) -> int:
    """Open the project, describe its layers, render it; 1 when a layer is not valid."""
    app = QgsApplication([], False)
    app.initQgis()
    started = time.perf_counter()
    project = QgsProject.instance()
    if not project.read(path):
        print(f"QGIS could not read {path}: {project.error()}")
        return 1
    print(f"read in {time.perf_counter() - started:.2f} s; CRS {project.crs().authid()}")
    bad = 0
    for layer in project.mapLayers().values():
        line = f"{layer.name()}: valid={layer.isValid()} crs={layer.crs().authid()}"
        if isinstance(layer, QgsVectorLayer):
            labels = (
                layer.labeling().settings().format().font().family() if layer.labeling() else "-"
            )
            line += (
                f" features={layer.featureCount()} renderer={layer.renderer().type()}"
                f" label_font={labels} subset={layer.subsetString()!r}"
            )
        print(line)
        bad += not layer.isValid()
    lost = [n.layerId() for n in project.layerTreeRoot().findLayers() if n.layer() is None]
    if lost:
        print(f"layer tree entries without their layer: {lost}")
        bad += len(lost)
    _render(project, path.rsplit(".", 1)[0] + ".png")
    return 1 if bad else 0


def _render(project: QgsProject, out: str) -> None:
    settings = QgsMapSettings()
    checked = project.layerTreeRoot().checkedLayers()
    local = [lyr for lyr in checked if lyr is not None and lyr.providerType() == "ogr"]
    settings.setLayers(local)
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(1200, 900))
    settings.setExtent(settings.fullExtent())
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(out)
    print(f"rendered {len(local)} layers to {out}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
