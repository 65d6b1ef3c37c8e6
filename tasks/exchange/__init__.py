"""Files in and out: the district file (`dudao seed`), imports of what units and inspectors hand in
(checked whole, nothing written on any problem), blank templates and the 整改台账 export.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "district_file": ["load_district", "read_district_file"],
    "exports": ["export_ledger"],
    "imports": ["run_import"],
    "imports.templates": ["export_template"],
})
