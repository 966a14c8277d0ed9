"""Reads an .xlsx file with nothing but the standard library (zipfile and
ElementTree): its sheets, their cells (strings and numbers, formulas
flagged), frozen panes, number formats and charts.  Used by check.sh."""

import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def col_index(ref):
    """'B7' -> (6, 1): zero-based row and column."""
    m = re.match(r"([A-Z]+)(\d+)$", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


class Sheet:
    def __init__(self, name, root, numfmt):
        self.name = name
        self.cells = {}    # (row, col) -> str or float
        self.formats = {}  # (row, col) -> number format code
        self.formulas = []
        for c in root.iter("{%s}c" % NS["m"]):
            rc = col_index(c.get("r"))
            if c.find("m:f", NS) is not None:
                self.formulas.append(c.get("r"))
            self.formats[rc] = numfmt(int(c.get("s", "0")))
            v = c.find("m:v", NS)
            if v is None:
                continue
            self.cells[rc] = v.text if c.get("t") == "s" else float(v.text)
        pane = root.find(".//m:pane", NS)
        self.frozen = None
        if pane is not None and pane.get("state") == "frozen":
            self.frozen = (int(float(pane.get("ySplit", "0"))), int(float(pane.get("xSplit", "0"))))
        self.has_drawing = root.find("m:drawing", NS) is not None

    def row(self, r):
        n = max([c for (rr, c) in self.cells if rr == r], default=-1) + 1
        return [self.cells.get((r, c)) for c in range(n)]

    def nrows(self):
        return max([r for (r, c) in self.cells], default=-1) + 1


class Book:
    def __init__(self, path):
        self.zip = zipfile.ZipFile(path)
        names = self.zip.namelist()
        self.files = names
        strings = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(self.zip.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                strings.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode")
                  for f in styles.iter("{%s}numFmt" % NS["m"])}
        xfs = [int(x.get("numFmtId", "0"))
               for x in styles.find("m:cellXfs", NS).findall("m:xf", NS)]
        builtin = {0: "General", 9: "0%", 10: "0.00%", 3: "#,##0", 4: "#,##0.00", 2: "0.00"}

        def numfmt(s):
            i = xfs[s] if s < len(xfs) else 0
            return custom.get(i, builtin.get(i, str(i)))

        wb = ET.fromstring(self.zip.read("xl/workbook.xml"))
        rels = ET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels.findall("pr:Relationship", NS)}
        self.sheets = {}
        self.order = []
        for s in wb.find("m:sheets", NS).findall("m:sheet", NS):
            rid = s.get("{%s}id" % NS["r"])
            root = ET.fromstring(self.zip.read("xl/" + target[rid].lstrip("/").replace("xl/", "")))
            sh = Sheet(s.get("name"), root, numfmt)
            # Shared strings: replace indices by their text.
            for c in root.iter("{%s}c" % NS["m"]):
                if c.get("t") == "s":
                    rc = col_index(c.get("r"))
                    sh.cells[rc] = strings[int(c.find("m:v", NS).text)]
            self.sheets[sh.name] = sh
            self.order.append(sh.name)

    def charts(self):
        """Chart kinds ('scatterChart', 'lineChart') of each chart file."""
        out = []
        for n in sorted(self.files):
            if re.match(r"xl/charts/chart\d+\.xml$", n):
                root = ET.fromstring(self.zip.read(n))
                plot = root.find(".//c:plotArea", NS)
                kinds = [ch.tag.split("}")[1] for ch in plot if ch.tag.endswith("Chart")]
                nser = len(root.findall(".//c:ser", NS))
                out.append((n, kinds, nser))
        return out

    def series(self, name):
        """The ranges of each series of chart file name: (name, x or
        categories, values)."""
        root = ET.fromstring(self.zip.read(name))
        out = []
        for ser in root.iter("{%s}ser" % NS["c"]):
            def ref(tag):
                e = ser.find("c:%s" % tag, NS)
                f = e.find(".//c:f", NS) if e is not None else None
                return f.text if f is not None else None
            out.append((ref("tx"), ref("cat") or ref("xVal"), ref("val") or ref("yVal")))
        return out


if __name__ == "__main__":
    b = Book(sys.argv[1])
    for name in b.order:
        s = b.sheets[name]
        print(name, "frozen", s.frozen, "rows", s.nrows())
        print("  ", s.row(0))
        if s.nrows() > 1:
            print("  ", s.row(1))
    for c in b.charts():
        print(*c)
