"""Scanned copies of real reports, made in the test: every page rendered to a picture with
pypdfium2 and put back as an image-only PDF (no text layer), clean or as a phone would take
it (turned a few degrees, blurred, JPEG-compressed)."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def render_pages(pdf_bytes: bytes, dpi: int = 150, pages: list[int] | None = None) -> list[Image.Image]:
    """The pages (1-based numbers; all by default) as grayscale pictures."""
    document = pdfium.PdfDocument(pdf_bytes)
    try:
        numbers = pages or list(range(1, len(document) + 1))
        images = []
        for number in numbers:
            page = document[number - 1]
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return images
    finally:
        document.close()


def degrade(image: Image.Image, degrees: float = 2.0, blur: float = 0.8) -> Image.Image:
    """A phone photo of the page: slightly turned on a white ground, slightly out of focus."""
    turned = image.rotate(degrees, resample=Image.BICUBIC, expand=False, fillcolor=255)
    return turned.filter(ImageFilter.GaussianBlur(blur))


def image_pdf(images: list[Image.Image], jpeg_quality: int | None = None, size: tuple[float, float] = (595, 842)) -> bytes:
    """An image-only PDF, one picture filling each A4 page; JPEG-compressed when a quality is given."""
    document = pdfium.PdfDocument.new()
    buffers = []
    for picture in images:
        page = document.new_page(*size)
        obj = pdfium.PdfImage.new(document)
        if jpeg_quality is not None:
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=jpeg_quality)
            buffer.seek(0)
            obj.load_jpeg(buffer, inline=True)
            buffers.append(buffer)
        else:
            obj.set_bitmap(pdfium.PdfBitmap.from_pil(picture.convert("RGB")))
        obj.set_matrix(pdfium.PdfMatrix().scale(*size))
        page.insert_obj(obj)
        page.gen_content()
        page.close()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()
