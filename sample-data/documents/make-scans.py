#!/usr/bin/python3
# Writes the synthetic typed-and-scanned samples of this folder that OCR reads (issue #5): a PNG, a JPEG and an image-only PDF.
# Run from the repository root with Debian's Python and Pillow (apt-get install python3-pil fonts-dejavu-core):
#   /usr/bin/python3 sample-data/documents/make-scans.py
# Every name, identifier and date is invented. Noise and tilt come from a fixed seed, so with the same Pillow and font the
# output is the same bytes.
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FOLDER = Path("sample-data/documents")
FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 22)  # about 11 pt at 150 dpi
LINE = 34
MARGIN = 48


def page(lines, seed, width=1100, tilt=0.0):
    """Typed lines on paper, then what a desk scanner does to them: a slight tilt, blur, grey speckles and a darker edge."""
    rng = random.Random(seed)
    height = 2 * MARGIN + LINE * len(lines)
    sheet = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(sheet)
    for i, text in enumerate(lines):
        # A typewriter's uneven strike: each line a shade darker or lighter.
        draw.text((MARGIN + rng.randint(-2, 2), MARGIN + i * LINE), text, font=FONT, fill=rng.randint(0, 60))
    sheet = sheet.rotate(tilt, resample=Image.BICUBIC, expand=False, fillcolor=255)
    sheet = sheet.filter(ImageFilter.GaussianBlur(0.6))
    pixels = sheet.load()
    for _ in range(width * height // 400):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = rng.randint(90, 200)
    for y in range(height):
        for x in range(6):
            pixels[x, y] = min(pixels[x, y], 120 + 20 * x)
    return sheet


def bilevel(sheet):
    """A black-and-white scan: the grey page thresholded, as fax and document scanners send it."""
    return sheet.point(lambda v: 255 if v > 150 else 0).convert("1")


discharge = page([
    "St. Brigid's Hospital",
    "DISCHARGE SUMMARY",
    "Patient Name: Lindqvist, Sofia",
    "MRN: 7730415",
    "Date of Birth: 22/08/1967",
    "Admission Date: 01/03/2026",
    "Discharge Date: 06/03/2026",
    "Diagnosis: cellulitis of the left leg",
    "Hospital course: intravenous flucloxacillin, then oral.",
    "Discharge medications: flucloxacillin 500 mg four times daily.",
    "Follow-up: GP review in one week.",
], seed=1, tilt=0.7)
bilevel(discharge).save(FOLDER / "ocr-typed-1.png", optimize=True)

lab = page([
    "Harbourside Pathology",
    "LABORATORY REPORT",
    "Patient: Daniel Moreau",
    "Patient ID: LAB-20417",
    "DOB: 1983-01-11",
    "Specimen collected: 2026-02-27",
    "Test          Result   Units    Reference range",
    "Sodium        141      mmol/L   135-145",
    "Potassium     4.1      mmol/L   3.5-5.1",
    "Haemoglobin   128      g/L      130-170   L",
], seed=2, tilt=-0.8)
lab.save(FOLDER / "ocr-typed-2.jpg", quality=40, optimize=True)

# Two pages of one report, as a scanner's "scan to PDF" writes them: page images and no text layer. Pillow stores a grey
# page as a JPEG (DCTDecode) and a black-and-white one as CCITT G4 (CCITTFaxDecode), the two filters scans use most.
report = [
    page([
        "Department of Radiology",
        "RADIOLOGY REPORT",
        "Name: Priya Raman",
        "Medical Record Number: RAD-660193",
        "Birth Date: 9 October 1994",
        "Exam date: 4 March 2026",
        "Examination: CT abdomen with contrast",
    ], seed=3, tilt=0.5),
    bilevel(page([
        "Findings: The appendix is normal. No free fluid.",
        "Impression: No acute abdominal disease.",
        "Reported by Dr. Anton Weiss, radiologist.",
    ], seed=4, tilt=-0.4)),
]
report[0].save(FOLDER / "ocr-image-only.pdf", save_all=True, append_images=report[1:], resolution=150, quality=40,
               title=None, author=None, creator=None, producer=None, creationDate=None, modDate=None)
