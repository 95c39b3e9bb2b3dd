"""Reading care plans, clients and workers from CSV, XLSX or GeoJSON files: every bad row
and field is named before anything is written."""
