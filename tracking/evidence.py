"""What makes a visit's evidence mean something: a signature with real strokes, a one-time
code per visit, service minutes within reason of the service's standard. Pure but for the
server's secret key.

The visit code: six digits that change with the client and the day, derived from the
server's secret and the client's own secret seed (`client.confirmation_code`, never shown to
workers), so a worker cannot work it out, and a code read out yesterday does not confirm
today's visit. The office hands the client a card of the coming days' codes
(`GET /api/clients/{id}/visit-codes`); a code confirms one visit only (a second worker's
visit the same day with the same code is refused)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
from datetime import date

from PIL import Image, ImageChops, UnidentifiedImageError

from core.settings import get_settings

MIN_INK_PIXELS = 60  # a dot or a stray touch is not a signature
MAX_SIGNATURE_SIDE = 4000  # pixels; larger images are not a phone's signature pad
MINUTES_FLAG_FACTOR = 1.5  # rendered above this many standards: accepted, flagged
MINUTES_REFUSE_FACTOR = 4.0  # above this many standards: refused
MAX_MINUTES = 24 * 60


def visit_code(*, client_id: int, seed: str, day: date) -> str:
    """The client's one-time code for a visit on `day`."""
    key = hashlib.sha256(b"visit-code:" + get_settings().secret_key.encode()).digest()
    message = f"{client_id}:{seed}:{day.isoformat()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**6:06d}"


def ink_pixels(data_url: str) -> int:
    """How many pixels of a signature image carry ink (neither transparent nor near-white);
    0 for an image that cannot be read."""
    try:
        raw = base64.b64decode(data_url.split(",", 1)[1], validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            if max(image.size) > MAX_SIGNATURE_SIDE:
                return 0
            rgba = image.convert("RGBA")
    except (IndexError, ValueError, binascii.Error, UnidentifiedImageError, OSError):
        return 0
    opaque = rgba.getchannel("A").point(lambda a: 255 if a > 32 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    return ImageChops.multiply(opaque, dark).histogram()[255]


def has_strokes(data_url: str) -> bool:
    return ink_pixels(data_url) >= MIN_INK_PIXELS


def minutes_verdict(minutes: float, standard: int) -> str | None:
    """None when fine, `long_service` above the flag factor, `minutes_above_standard` when
    refused."""
    if standard > 0 and minutes > MINUTES_REFUSE_FACTOR * standard:
        return "minutes_above_standard"
    if standard > 0 and minutes > MINUTES_FLAG_FACTOR * standard:
        return "long_service"
    return None
