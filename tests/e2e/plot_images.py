"""Comparing charts with reference charts, tolerant of how they are rasterised but not of what
they show (tests/e2e/test_plot_golden.py, tools/make_examples.py's check).

Raster images (PNG, and PDF pages rendered by pdftoppm) are compared pixel by pixel with a
neighbourhood: a pixel matches when each of its channels lies within TOLERANCE of the range
the other image has within RADIUS pixels of the same place, checked both ways. A glyph
hinted one pixel over, a line antialiased a shade differently, a font version's slightly
wider text give a few stray pixels; a missing series, band, axis label or legend entry gives
hundreds or thousands (test_plot_golden.py's own tests measure it on the references). The
images differ when more than MAX_SHARE of their pixels do not match.

SVG is PLplot's own output: parsed as XML, then compared by structure: the same texts in the
same places (within COORD_TOLERANCE user units) and, per drawing style (stroke, fill, dash),
the same number of shapes and about the same number of points over about the same extent.
"""
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

RADIUS = 1             # pixels: a shift of one pixel anywhere is not a difference
TOLERANCE = 10         # of 255, per channel, beyond the neighbourhood (blurred) range: a
                       # phase band is 15 to 28 below white
MAX_SHARE = 0.002      # of the pixels: 2 per 1000 may differ
COORD_TOLERANCE = 2.0  # SVG user units (points)
POINTS_TOLERANCE = 0.02


def load_rgb(path):
    """The image as an (h, w, 3) int16 array (Pillow decodes PNG and PPM)."""
    import numpy
    from PIL import Image
    with Image.open(path) as im:
        return numpy.asarray(im.convert("RGB"), dtype=numpy.int16)


def _neighbourhood_range(img, r):
    import numpy
    h, w, _ = img.shape
    pad = numpy.pad(img, ((r, r), (r, r), (0, 0)), mode="edge")
    lo, hi = img.copy(), img.copy()
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            v = pad[dy:dy + h, dx:dx + w]
            numpy.minimum(lo, v, out=lo)
            numpy.maximum(hi, v, out=hi)
    return lo, hi


def _blur(img):
    """A 3x3 box blur: a one-pixel line drawn sharp by one rasteriser and over two pixels at
    half the ink by another look alike after it."""
    import numpy
    h, w, _ = img.shape
    pad = numpy.pad(img, ((1, 1), (1, 1), (0, 0)), mode="edge").astype(numpy.int32)
    acc = sum(pad[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3))
    return (acc // 9).astype(numpy.int16)


def raster_difference(actual, expected, radius=RADIUS, tolerance=TOLERANCE):
    """(pixels that do not match either way, as a boolean (h, w) array) for two arrays of the
    same shape, both blurred first."""
    actual, expected = _blur(actual), _blur(expected)
    out = None
    for a, b in ((actual, expected), (expected, actual)):
        lo, hi = _neighbourhood_range(b, radius)
        bad = ((a < lo - tolerance) | (a > hi + tolerance)).any(axis=2)
        out = bad if out is None else out | bad
    return out


def compare_rasters(actual, expected, max_share=MAX_SHARE):
    """None when the two arrays show the same chart, else a line saying how they differ."""
    if actual.shape != expected.shape:
        return f"size {actual.shape[1]}x{actual.shape[0]}, expected {expected.shape[1]}x{expected.shape[0]}"
    bad = raster_difference(actual, expected)
    n = int(bad.sum())
    if n <= max_share * bad.size:
        return None
    ys, xs = bad.nonzero()
    return (f"{n} pixels differ ({100.0 * n / bad.size:.2f} % > {100.0 * max_share:.2f} %), "
            f"within x {xs.min()}..{xs.max()}, y {ys.min()}..{ys.max()}")


def pdf_page_raster(pdf, out_base, dpi=72):
    """The PDF's first page rendered by pdftoppm (poppler-utils) as PNG; returns its path."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils, bootstrap.sh) is needed"
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-singlefile", str(pdf), str(out_base)],
                   check=True, timeout=120)
    return Path(str(out_base) + ".png")


# ------------------------------------------------------------------ SVG

_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def svg_structure(path):
    """What an SVG chart shows: {"size": (w, h), "texts": [(text, x, y, size)],
    "shapes": {style: [(n points, xmin, ymin, xmax, ymax)]}}. Parsing it is the XML check."""
    root = ET.parse(path).getroot()
    assert _local(root.tag) == "svg", f"{path}: the root element is {root.tag}"
    size = (root.get("width"), root.get("height"))
    texts, shapes = [], {}
    clips = {id(c) for p in root.iter() if _local(p.tag) == "clipPath" for c in p.iter()}
    for e in root.iter():
        tag = _local(e.tag)
        if tag == "text":
            m = [float(v) for v in _NUM.findall(e.get("transform", ""))]
            x, y = (m[4], m[5]) if len(m) >= 6 else (0.0, 0.0)
            texts.append(("".join(e.itertext()), round(x, 1), round(y, 1), e.get("font-size")))
        elif tag in ("polyline", "polygon", "path", "line", "rect") and id(e) not in clips:
            nums = [float(v) for v in _NUM.findall(e.get("points") or e.get("d") or "")]
            xs, ys = nums[0::2] or [0.0], nums[1::2] or [0.0]
            style = (tag, e.get("stroke"), e.get("fill"), e.get("fill-opacity"),
                     e.get("stroke-dasharray"))
            shapes.setdefault(style, []).append((len(nums) // 2, min(xs), min(ys), max(xs), max(ys)))
    return {"size": size, "texts": texts, "shapes": shapes}


def compare_svg(actual, expected):
    """None when the two SVG files show the same chart by structure, else the differences."""
    a, e = svg_structure(actual), svg_structure(expected)
    problems = []
    if a["size"] != e["size"]:
        problems.append(f"size {a['size']}, expected {e['size']}")
    at, et = sorted(t[0] for t in a["texts"]), sorted(t[0] for t in e["texts"])
    if at != et:
        missing = [t for t in et if t not in at]
        extra = [t for t in at if t not in et]
        problems.append(f"texts: missing {missing}, unexpected {extra}")
    else:
        for ta, te in zip(sorted(a["texts"]), sorted(e["texts"])):
            if abs(ta[1] - te[1]) > COORD_TOLERANCE or abs(ta[2] - te[2]) > COORD_TOLERANCE \
                    or ta[3] != te[3]:
                problems.append(f"text {ta[0]!r} at {ta[1:]}, expected {te[1:]}")
    for style in sorted(set(a["shapes"]) | set(e["shapes"]), key=str):
        sa, se = a["shapes"].get(style, []), e["shapes"].get(style, [])
        if len(sa) != len(se):
            problems.append(f"{len(sa)} shapes of style {style}, expected {len(se)}")
            continue
        pa, pe = sum(s[0] for s in sa), sum(s[0] for s in se)
        if abs(pa - pe) > POINTS_TOLERANCE * max(pe, 1) + 2:
            problems.append(f"{pa} points of style {style}, expected {pe}")
        box = lambda ss: (min(s[1] for s in ss), min(s[2] for s in ss),  # noqa: E731
                          max(s[3] for s in ss), max(s[4] for s in ss))
        if se and any(abs(x - y) > COORD_TOLERANCE for x, y in zip(box(sa), box(se))):
            problems.append(f"style {style} spans {box(sa)}, expected {box(se)}")
    return "; ".join(problems) or None
