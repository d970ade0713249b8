"""Excel (and CSV) import and export of the catalog — the bulk registration departments do.

The template has the sheets items, legal_bases, materials, fees, special_procedures and steps,
plus a README sheet that explains every column in Chinese (docs/catalog-import.md). Child rows
refer to their item by 实施编码. Import is all-or-nothing per file: every problem is reported with
sheet, row, column and a Chinese message, and nothing is written unless there are none.
Re-importing the same file changes nothing: an item whose implementing code exists and whose
content is identical is left alone. Export → import gives an identical catalog.

By topic:

- `columns`: the template's columns (headers, explanations) and how a cell is read;
- `read`: the import — read the file, parse rows into items, check everything (`catalog_import`);
- `write`: write a checked file's items to the database (new, updated, unchanged, published);
- `export`: the catalog as a workbook in the template's layout, and the empty template.
"""
