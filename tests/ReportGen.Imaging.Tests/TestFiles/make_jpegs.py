# Regenerates the JPEG fixtures and their reference decodes (Pillow 9.4 / libjpeg-turbo 2.1.5, Debian 12):
#   apt-get install -y python3-pil python3-numpy libjpeg-turbo-progs && cd TestFiles && /usr/bin/python3 make_jpegs.py
# *.expected.png is Pillow's (libjpeg-turbo's) decode of the matching .jpg, an independent reference.
from PIL import Image
import numpy as n, subprocess, os
rng = n.random.default_rng(7)
W, H = 67, 45
yy, xx = n.mgrid[0:H, 0:W]
rgb = n.stack([(xx * 255 // (W - 1)), (yy * 255 // (H - 1)), ((xx + yy) * 3) % 256], -1).astype(n.float64)
rgb += rng.normal(0, 12, rgb.shape); rgb[10:20, 30:50] = [250, 20, 30]
rgb = n.clip(rgb, 0, 255).astype(n.uint8)
im = Image.fromarray(rgb, 'RGB'); g = im.convert('L')
g.save('grey_baseline.jpg', quality=85)
g.save('grey_progressive.jpg', quality=85, progressive=True)
im.save('rgb444_baseline.jpg', quality=90, subsampling=0)
im.save('rgb422_baseline.jpg', quality=90, subsampling=1)
im.save('rgb420_baseline.jpg', quality=90, subsampling=2)
im.save('rgb420_progressive.jpg', quality=90, subsampling=2, progressive=True)
im.save('rgb444_progressive.jpg', quality=75, subsampling=0, progressive=True)
im.save('src_rgb.ppm'); g.save('src_grey.pgm')
subprocess.check_call('cjpeg -quality 88 -sample 2x2 -restart 3B -outfile rgb420_restart.jpg src_rgb.ppm', shell=True)
subprocess.check_call('cjpeg -quality 88 -progressive -restart 1 -outfile grey_progressive_restart.jpg src_grey.pgm', shell=True)
subprocess.check_call('cjpeg -quality 80 -sample 2x2 -progressive -restart 5B -outfile rgb420_progressive_restart.jpg src_rgb.ppm', shell=True)
os.remove('src_rgb.ppm'); os.remove('src_grey.pgm')
for f in sorted(os.listdir('.')):
    if f.endswith('.jpg'):
        Image.fromarray(n.asarray(Image.open(f))).save(f[:-4] + '.expected.png', optimize=True)

# Chroma upsampling edge cases, referenced by djpeg (libjpeg-turbo's own decoder, fancy upsampling on):
# 1–5-pixel-wide 4:2:0 and 4:2:2 (turbo only filters when the subsampled row is wider than 2 samples) and 4:4:0.
def djpeg_reference(jpg):
    ppm = subprocess.check_output(['djpeg', '-ppm', jpg])
    from io import BytesIO
    Image.open(BytesIO(ppm)).save(jpg[:-4] + '.expected.png', optimize=True)

src = Image.fromarray(rgb, 'RGB')
for w in range(1, 6):
    for name, sample in (('420', '2x2'), ('422', '2x1')):
        src.crop((30, 5, 30 + w, 5 + 9)).save('src_narrow.ppm')
        f = f'narrow{w}_{name}.jpg'
        subprocess.check_call(f'cjpeg -quality 90 -sample {sample} -outfile {f} src_narrow.ppm', shell=True)
        djpeg_reference(f)
for h in (1, 2, 3, 45):
    src.crop((0, 0, 67, h)).save('src_narrow.ppm')
    f = f'rgb440_h{h}.jpg'
    subprocess.check_call(f'cjpeg -quality 90 -sample 1x2 -outfile {f} src_narrow.ppm', shell=True)
    djpeg_reference(f)
os.remove('src_narrow.ppm')
