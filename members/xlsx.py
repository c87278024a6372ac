"""The cell values of an .xlsx workbook's first sheet, row by row, read straight from its XML.

The import reads a member file with this instead of openpyxl's read-only mode: for a 10,000-row
file of 28 columns on this project's 2-core machine, openpyxl took 4 to 5 s (a model object per
shared string, a Python call per cell attribute), half of the import's 10 s budget (DESIGN.md);
lxml's parser with one loop over the cells takes under 2 s. The values are openpyxl's
(read_only=True, data_only=False), through its own helpers for date formats and serial dates:
text (shared, inline or a formula's cached text), numbers (int when whole), booleans,
datetimes for numbers in a date format, and a formula as its text "=…". openpyxl still writes
every workbook (the template, the exports).

A workbook is untrusted input: the parts read may not unzip to more than MAX_UNZIPPED_BYTES in
all (a zip bomb is refused from the sizes the zip declares, and zipfile never unzips more than
it declares), a part carrying a DTD is refused (no entity is ever expanded or fetched), and any
inconsistency (a shared string that is not there, a column past Excel's last) is a
WorkbookError, never another exception.
"""

import io
import posixpath
import zipfile
import zlib
from datetime import datetime

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ROW, CELL, VALUE, FORMULA = MAIN + "row", MAIN + "c", MAIN + "v", MAIN + "f"
TEXT, RUN, INLINE = MAIN + "t", MAIN + "r", MAIN + "is"


# A 20,000-row member file of 28 columns, the import's limit, unzips to about 60 MB.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 16_384  # Excel's last column, XFD
# How a DTD starts: a workbook never has one, and one is how entities (XXE, "billion laughs")
# get in. It sits in the prolog, before the root element.
DTD = b"<!DOCTYPE"
PROLOG_BYTES = 64 * 1024
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# What a damaged or hostile part raises while it is unzipped or parsed.
BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    OverflowError,
    EOFError,
    OSError,
    RuntimeError,  # an encrypted member of the zip
    NotImplementedError,  # a compression method zipfile does not know
    etree.XMLSyntaxError,
)


class WorkbookError(Exception):
    """The file is not a workbook this reader understands (damaged, or another format)."""


class OpenDocumentError(WorkbookError):
    """The file is an OpenDocument spreadsheet (.ods), not an Excel workbook."""


class UnzippedTooLargeError(WorkbookError):
    """The workbook's parts unzip to more than MAX_UNZIPPED_BYTES."""


def _parser():
    # No entities, no DTD, no network: a workbook is data, never instructions to the parser.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _text(element) -> str:
    """A shared or inline string: its text and its rich-text runs, without phonetic hints."""
    if len(element) == 1 and element[0].tag == TEXT:  # plain text: nearly every string
        return element[0].text or ""
    parts = [element.findtext(TEXT) or ""]
    parts += [run.findtext(TEXT) or "" for run in element.iterfind(RUN)]
    return "".join(parts)


def _column(reference: str) -> int:
    """0-based column of a cell reference ("C12" -> 2)."""
    number = 0
    for char in reference:
        if char.isdigit():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number - 1


def _number(text: str):
    """As openpyxl casts a number: a float when written with a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class SheetReader:
    """The first sheet of a workbook held in `content` (bytes): `rows()` yields each row's
    number and values (a list, None for an empty cell); `total_rows` is the number of rows
    below the first as the sheet records its size (None when it does not)."""

    def __init__(self, content: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(content))
            names = set(self.zip.namelist())
            if "mimetype" in names and self.zip.read("mimetype").startswith(ODS_MIMETYPE):
                raise OpenDocumentError("an OpenDocument spreadsheet")
            self.unzipped = 0
            workbook = self._xml("xl/workbook.xml")
            rels = (
                self._rels("xl/_rels/workbook.xml.rels")
                if ("xl/_rels/workbook.xml.rels" in names)
                else {}
            )
            first = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
            if first is None:
                raise WorkbookError("no sheet")
            target = rels.get(first.get(DOC_RELS + "id"), "worksheets/sheet1.xml")
            self.sheet_path = self._part(target)
            if self.sheet_path not in names:
                raise WorkbookError("no sheet part")
            self._admit(self.sheet_path)
            properties = workbook.find(MAIN + "workbookPr")
            date1904 = properties is not None and properties.get("date1904") in ("1", "true")
            self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
            self.shared = self._shared_strings(rels, names)
            self.date_styles = self._date_styles(names)
            self.total_rows = self._dimension()
        except BROKEN as error:
            raise WorkbookError(str(error)) from error

    def _admit(self, name: str) -> None:
        """Count the part's unzipped size against the cap, and refuse a part with a DTD."""
        self.unzipped += self.zip.getinfo(name).file_size
        if self.unzipped > MAX_UNZIPPED_BYTES:
            raise UnzippedTooLargeError(f"more than {MAX_UNZIPPED_BYTES} bytes unzipped")
        with self.zip.open(name) as part:
            if DTD in part.read(PROLOG_BYTES).upper():
                raise WorkbookError(f"a DTD in {name}")

    def _xml(self, name: str):
        self._admit(name)
        return etree.fromstring(self.zip.read(name), _parser())

    def _rels(self, name: str) -> dict:
        return {
            rel.get("Id"): rel.get("Target") for rel in self._xml(name).iter(RELS + "Relationship")
        }

    def _rel_of_type(self, name: str, kind: str) -> str | None:
        for rel in self._xml(name).iter(RELS + "Relationship"):
            if rel.get("Type", "").endswith("/" + kind):
                return rel.get("Target")
        return None

    @staticmethod
    def _part(target: str) -> str:
        """A relationship's target as a path in the zip (relative to xl/, or absolute)."""
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join("xl", target))

    def _shared_strings(self, rels: dict, names: set) -> list[str]:
        target = None
        if "xl/_rels/workbook.xml.rels" in names:
            target = self._rel_of_type("xl/_rels/workbook.xml.rels", "sharedStrings")
        path = self._part(target) if target else "xl/sharedStrings.xml"
        if path not in names:
            return []
        return [_text(item) for item in self._xml(path).iter(MAIN + "si")]

    def _date_styles(self, names: set) -> set[int]:
        """Indexes of the cell styles whose number format is a date or time."""
        if "xl/styles.xml" not in names:
            return set()
        styles = self._xml("xl/styles.xml")
        formats = dict(BUILTIN_FORMATS)
        for custom in styles.iterfind(f"{MAIN}numFmts/{MAIN}numFmt"):
            formats[int(custom.get("numFmtId"))] = custom.get("formatCode", "")
        dated = set()
        for index, xf in enumerate(styles.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
            code = formats.get(int(xf.get("numFmtId", 0)))
            if code and is_date_format(code):
                dated.add(index)
        return dated

    def _dimension(self) -> int | None:
        """Rows below the header as the sheet records them (its <dimension>), for progress."""
        with self.zip.open(self.sheet_path) as part:
            for _event, element in etree.iterparse(
                part, events=("start",), resolve_entities=False, no_network=True
            ):
                if element.tag == MAIN + "dimension":
                    last = element.get("ref", "").split(":")[-1]
                    digits = "".join(c for c in last if c.isdigit())
                    return max(int(digits) - 1, 0) if digits else None
                if element.tag == MAIN + "sheetData":
                    return None
        return None

    def rows(self):
        """(row number, values) of each row the sheet holds, in order; a row the file leaves
        out (an empty one) is not yielded."""
        number = 0
        try:
            with self.zip.open(self.sheet_path) as part:
                for _event, row in etree.iterparse(
                    part, tag=ROW, resolve_entities=False, no_network=True
                ):
                    number = int(row.get("r") or number + 1)
                    yield number, self._row(row)
                    row.clear()
                    while row.getprevious() is not None:
                        del row.getparent()[0]
        except BROKEN as error:
            raise WorkbookError(str(error)) from error

    def _row(self, row) -> list:
        values: list = []
        for cell in row.iterchildren(CELL):
            reference = cell.get("r")
            if reference:
                column = _column(reference)
                if column >= MAX_COLUMNS:
                    raise WorkbookError(f"a cell past the last column: {reference[:20]}")
                if column > len(values):
                    values.extend([None] * (column - len(values)))
            values.append(self._value(cell))
        return values

    def _value(self, cell):
        text = formula = inline = None
        for child in cell:  # <v>, <f>, <is>: one pass, no search by path
            tag = child.tag
            if tag == VALUE:
                text = child.text
            elif tag == FORMULA:
                formula = child
            elif tag == INLINE:
                inline = child
        if formula is not None:
            return "=" + (formula.text or "")
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return _text(inline) if inline is not None else None
        if text is None or text == "":
            return None
        if kind == "s":
            index = int(text)
            if not 0 <= index < len(self.shared):
                raise WorkbookError(f"no shared string {index}")
            return self.shared[index]
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return datetime.fromisoformat(text)
        value = _number(text)
        style = cell.get("s")
        if style and int(style) in self.date_styles:
            try:
                return from_excel(value, self.epoch)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return value
