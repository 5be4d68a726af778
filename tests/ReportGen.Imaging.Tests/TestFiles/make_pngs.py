# Reference PNGs written by an independent encoder (Pillow 9.4, Debian 12) and their expected samples:
#   apt-get install -y python3-pil python3-numpy && cd TestFiles && /usr/bin/python3 make_pngs.py
# name.png + name.raw: the expected samples in our output layout (grey, RGB or RGBA; uint8, or uint16 little endian).
from PIL import Image
import numpy as n
rng = n.random.default_rng(11)
W, H = 29, 21
def save(name, im, expected):
    im.save(name + '.png', optimize=True)
    exp = n.ascontiguousarray(expected)
    exp.astype('<u2' if exp.dtype == n.uint16 else n.uint8).tofile(name + '.raw')
g = rng.integers(0, 256, (H, W), dtype=n.uint8)
b = (g > 127)
save('pil_bilevel', Image.fromarray(b), b.astype(n.uint8))           # expected 0/1, mode '1' is written as 1-bit grey
g16 = rng.integers(0, 65536, (H, W), dtype=n.uint16)
save('pil_grey16', Image.fromarray(g16.astype(n.int32), 'I').convert('I;16'), g16)
la = rng.integers(0, 256, (H, W, 2), dtype=n.uint8)
save('pil_grey_alpha', Image.fromarray(la, 'LA'), n.stack([la[..., 0]] * 3 + [la[..., 1]], -1))
rgba = rng.integers(0, 256, (H, W, 4), dtype=n.uint8)
save('pil_rgba', Image.fromarray(rgba, 'RGBA'), rgba)
pal = Image.fromarray(rng.integers(0, 16, (H, W), dtype=n.uint8), 'P')
pal.putpalette(list(rng.integers(0, 256, 48)))
pal.info['transparency'] = bytes([0, 64, 128, 255, 10])
pal.save('pil_palette_trns.png', transparency=bytes([0, 64, 128, 255, 10]))
n.asarray(Image.open('pil_palette_trns.png').convert('RGBA')).astype(n.uint8).tofile('pil_palette_trns.raw')
