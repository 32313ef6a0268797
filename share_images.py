"""Share images: one PNG per code (code, name, message) for link previews in chat and social apps.

Drawn with Pillow and the Roboto font shipped inside the pinned `font-roboto` package (no
network, no system fonts). Each image is rendered once, at start-up, into a directory and kept
there under a name that carries a hash of everything drawn, so a restart reuses it and a changed
message gets a new name (the URL can then be cached for a year). No Flask here.
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from pathlib import Path

WIDTH, HEIGHT = 1200, 630  # what Open Graph and Twitter's large card expect
MARGIN = 72
DRAWING_VERSION = "1"  # part of every image's hash: change it when the drawing changes
BACKGROUND, FOREGROUND, MUTED, ACCENT, PANEL = "#0f1216", "#e6e8eb", "#a4adb6", "#8ab4f8", "#1c2128"
MAX_MESSAGE_LINES = 5


def _fonts():
    import font_roboto  # ships Roboto-*.ttf
    return font_roboto.RobotoBold, font_roboto.Roboto, font_roboto.RobotoMedium


@functools.lru_cache(maxsize=16)
def _font(path: str, size: int):
    from PIL import ImageFont
    return ImageFont.truetype(path, size)


def image_key(entry, site_name: str) -> str:
    """12 hex digits naming one image: the drawing, the font and every text drawn."""
    parts = [DRAWING_VERSION, *(Path(f).name for f in _fonts()), site_name, entry.code, entry.name,
             entry.message, str(entry.http_status or ""), entry.source]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def filename(entry, site_name: str) -> str:
    return f"{entry.code}.{image_key(entry, site_name)}.png"


def _wrap(draw, text: str, font, width: int, breakers: str = " ") -> list[str]:
    """Lines no wider than `width`, broken after a space (or `_` in names), words too long cut anywhere."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        tokens, token = [], ""
        for ch in paragraph:
            token += ch
            if ch in breakers:
                tokens.append(token)
                token = ""
        tokens.append(token)
        for token in tokens:
            if draw.textlength(line + token, font=font) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            while draw.textlength(token, font=font) > width:  # one token wider than the card
                cut = len(token)
                while cut > 1 and draw.textlength(token[:cut], font=font) > width:
                    cut -= 1
                lines.append(token[:cut])
                token = token[cut:]
            line = token
        if line.strip():
            lines.append(line.rstrip())
    return lines


def render(entry, site_name: str) -> bytes:
    """The PNG of one code: its number large, its name, its official message, the site's name."""
    from PIL import Image, ImageDraw

    bold, regular, medium = _fonts()
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)

    y = MARGIN - 10
    code_font = _font(bold, 112)
    draw.text((MARGIN, y), entry.code, font=code_font, fill=FOREGROUND)
    if entry.http_status:
        tag_font = _font(medium, 34)
        tag = f"HTTP {entry.http_status} · API Gateway"
        x = MARGIN + draw.textlength(entry.code, font=code_font) + 36
        draw.rounded_rectangle((x, y + 44, x + draw.textlength(tag, font=tag_font) + 36, y + 100), 28, fill=PANEL)
        draw.text((x + 18, y + 52), tag, font=tag_font, fill=ACCENT)
    y += 140

    if entry.name:
        name_font = _font(medium, 44)
        for line in _wrap(draw, entry.name, name_font, inner, breakers="_")[:2]:
            draw.text((MARGIN, y), line, font=name_font, fill=ACCENT)
            y += 56
        y += 18

    message_font = _font(regular, 38)
    lines = _wrap(draw, entry.message, message_font, inner)
    room = max(1, min(MAX_MESSAGE_LINES, (HEIGHT - MARGIN - 60 - y) // 50))
    if len(lines) > room:
        lines = lines[:room]
        while lines[-1] and draw.textlength(lines[-1] + " …", font=message_font) > inner:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + " …"
    for line in lines:
        draw.text((MARGIN, y), line, font=message_font, fill=FOREGROUND)
        y += 50

    footer_font = _font(medium, 30)
    draw.text((MARGIN, HEIGHT - MARGIN - 10), site_name, font=footer_font, fill=MUTED)
    out = io.BytesIO()
    image.quantize(32, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")  # a few flat colours: a palette PNG is a third of the size
    return out.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers (other workers) never see half a file; concurrent writers write the same bytes."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ShareImages:
    """The share image of every code of a catalog, in one directory; `build()` renders what is missing."""

    def __init__(self, catalog, directory: str | Path, site_name: str):
        self.directory = Path(directory)
        self.site_name = site_name
        self.names = {entry.code: filename(entry, site_name) for entry in catalog.codes}
        self._entries = {entry.code: entry for entry in catalog.codes}
        self.rendered = 0  # images drawn by the last build (the others were already there)

    def build(self) -> int:
        """Render every image not already on disk; remove the stale ones. Returns how many were drawn."""
        self.directory.mkdir(parents=True, exist_ok=True)
        wanted = set(self.names.values())
        self.rendered = 0
        for code, name in self.names.items():
            path = self.directory / name
            if not path.exists():
                _write_atomic(path, render(self._entries[code], self.site_name))
                self.rendered += 1
        for path in self.directory.glob("*.png"):
            if path.name not in wanted and path.name.split(".")[0] in self.names:
                path.unlink(missing_ok=True)  # an older drawing of a code still in the catalog
        return self.rendered

    def name_of(self, code: str) -> str | None:
        return self.names.get(code)

    def path_of(self, name: str) -> Path | None:
        """The file behind a public name, if it is a current image."""
        code = name.split(".", 1)[0]
        return self.directory / name if self.names.get(code) == name else None
