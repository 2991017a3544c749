"""Import of office files (GBK CSV, XLSX with a mapping) and export, on the tiny county."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from geogrid.registry.exports import export_registry
from geogrid.registry.imports import ImportOptions, import_registry
from tests.registry.conftest import ADMIN, fake_id_number, inside


def _residents(path: Path, index) -> Path:
    lon, lat = inside(index, 0)
    good, bad = fake_id_number(11), fake_id_number(12)[:-1] + "0"
    rows = [["地址", "经度", "纬度", "姓名", "户籍类型", "身份证号", "到达日期"],
            ["人民路12号3号楼2单元501室", lon, lat, "张三", "流动", good, "2026/03/01"],
            ["人民路12号3号楼2单元502室", lon, lat, "李四", "流动", bad, ""],
            ["人民路东头", lon, lat, "王五", "户籍", "", ""],
            ["人民路14号", lon, lat, "赵六", "户籍", "", ""]]  # fmt: skip
    with path.open("w", encoding="gbk", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("select count(*) from registry_records")).scalar()


def test_a_gbk_file_is_checked_row_by_row_and_a_dry_run_stores_nothing(
    registry_engine, index, cipher, tmp_path
):
    path = _residents(tmp_path / "residents.csv", index)
    dry = import_registry(registry_engine, path, ImportOptions("resident"), index=index,
                          cipher=cipher)  # fmt: skip
    assert (dry.rows, dry.imported, dry.committed) == (4, 2, False)
    assert [(e.row, e.field) for e in dry.errors] == [(3, "id_number"), (4, "address")]
    assert "could not read '人民路东头'" in dry.errors[1].message
    assert _count(registry_engine) == 0
    done = import_registry(registry_engine, path, ImportOptions("resident", commit=True),
                           index=index, cipher=cipher)  # fmt: skip
    assert (done.imported, done.committed) == (2, True)
    with registry_engine.connect() as conn:
        rows = conn.execute(text("select data->>'name', category, started_on::text, a.unit_code "
                                 "from registry_records r join registry_addresses a "
                                 "on a.id = r.address_id order by 1")).all()  # fmt: skip
    unit = str(index.units.codes[0])
    assert rows == [
        ("张三", "floating", "2026-03-01", unit),
        ("赵六", "registered", rows[1][2], unit),
    ]


def test_an_xlsx_with_its_own_column_names_reads_through_a_mapping(
    registry_engine, index, tmp_path
):
    lon, lat = inside(index, 1)
    book = Workbook()
    book.active.append(["DZ", "JD", "WD", "YT", "FZ", "ZK"])
    book.active.append(["和平街5号", lon, lat, "出租", "王房东", "租客甲、租客乙"])
    book.save(tmp_path / "housing.xlsx")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[fields]\naddress = "DZ"\nlon = "JD"\nlat = "WD"\nuse = "YT"\n'
                       'landlord = "FZ"\ntenants = "ZK"\n', encoding="utf-8")  # fmt: skip
    options = ImportOptions("housing", mapping=mapping, commit=True)
    result = import_registry(registry_engine, tmp_path / "housing.xlsx", options, index=index,
                             cipher=None)  # fmt: skip
    assert result.imported == 1 and result.errors == []
    with registry_engine.connect() as conn:
        data = conn.execute(text("select data from registry_records")).scalar()
    assert data == {"use": "rental", "landlord": "王房东", "tenants": ["租客甲", "租客乙"]}


def test_export_masks_id_numbers_unless_asked_and_asking_is_audited(
    registry_engine, index, cipher, tmp_path
):
    path = _residents(tmp_path / "residents.csv", index)
    import_registry(registry_engine, path, ImportOptions("resident", commit=True), index=index,
                    cipher=cipher)  # fmt: skip
    with registry_engine.begin() as conn:
        assert export_registry(conn, ADMIN, "resident", tmp_path / "out.csv") == 2
        export_registry(conn, ADMIN, "resident", tmp_path / "ids.xlsx", id_numbers=True,
                        cipher=cipher)  # fmt: skip
        actions = conn.execute(text("select action from audit_log where action like "
                                    "'registry.export%'")).scalars().all()  # fmt: skip
    masked = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert fake_id_number(11) not in masked and "9999**********" in masked
    sheet = load_workbook(tmp_path / "ids.xlsx").active
    assert fake_id_number(11) in [c.value for row in sheet.iter_rows() for c in row]
    assert actions == ["registry.export_ids"]


def test_a_person_imported_again_at_another_address_moves(registry_engine, index, cipher, tmp_path):
    path = _residents(tmp_path / "residents.csv", index)
    import_registry(registry_engine, path, ImportOptions("resident", commit=True), index=index,
                    cipher=cipher)  # fmt: skip
    moved = tmp_path / "moved.csv"
    moved.write_text(f"地址,姓名,户籍类型,身份证号\n人民路14号,张三,流动,{fake_id_number(11)}\n",
                     encoding="utf-8")  # fmt: skip
    result = import_registry(registry_engine, moved, ImportOptions("resident", commit=True),
                             index=index, cipher=cipher)  # fmt: skip
    assert (result.imported, result.errors) == (1, [])
    with registry_engine.connect() as conn:
        rows = conn.execute(text("select a.full_text, r.revision from registry_records r join "
                                 "registry_addresses a on a.id = r.address_id where "
                                 "r.data->>'name' = '张三'")).all()  # fmt: skip
    assert rows == [("人民路14号", 2)]
