"""Small PNG and JPEG images, drawn by Pillow: a few colour blocks, the file's title in its metadata."""

from __future__ import annotations

import hashlib
import io

from .plan import Plan


def _pixels(plan: Plan) -> tuple[int, int, bytes]:
    """A 32-96 by 24-72 picture of three colour blocks, from the file's key (small: a pull encodes
    every image for its MD5)."""
    draws = plan.draws()
    width, height = 32 + draws.below(9) * 8, 24 + draws.below(7) * 8
    colours = [bytes(draws.below(256) for _ in range(3)) for _ in range(3)]
    split = width // 3 + draws.below(width // 3)
    upper = colours[0] * split + colours[1] * (width - split)
    lower = colours[2] * width
    band = height // 2
    return width, height, upper * band + lower * (height - band)


def png(plan: Plan) -> tuple[bytes, str]:
    from PIL import Image, PngImagePlugin  # imported on first use, so start-up does not pay for it

    width, height, pixels = _pixels(plan)
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", plan.title)  # a tEXt chunk: Latin-1 (Pillow writes iTXt for other text)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "PNG", pnginfo=info, compress_level=1)
    return out.getvalue(), hashlib.md5(out.getvalue()).hexdigest()


def jpeg(plan: Plan) -> tuple[bytes, str]:
    from PIL import Image

    width, height, pixels = _pixels(plan)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "JPEG", quality=85, comment=plan.title.encode("utf-8"))
    return out.getvalue(), hashlib.md5(out.getvalue()).hexdigest()
