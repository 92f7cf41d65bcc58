"""QR codes as inline SVG: the workshop's join link, and each printed join token's."""

import segno


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#111")
