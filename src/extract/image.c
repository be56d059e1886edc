/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c: bounded image decoding and OCR preparation with Leptonica
 * (image.h).
 */
#include "extract/image.h"

#include <leptonica/allheaders.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract/sniff.h"
#include "util/error.h"
#include "util/limits.h"

/* Leptonica reports errors on stderr as it goes; levee reports its own,
 * once, with the attachment they concern. Set once per process. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet(void) {
  setMsgSeverity(L_SEVERITY_NONE);
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* A PNG rebuilt from its chunks that hold the image (IHDR, PLTE, tRNS, IDAT,
 * IEND), each of them whole within the bytes; NULL when there is no IHDR.
 * libpng allocates what a chunk's length field says before it reads the
 * chunk: a 271-byte file claiming a 1.9 GB text chunk took 1.9 GB (found
 * by fuzz_image), and a compressed text or ICC chunk can inflate without
 * bound. None of those are needed to read the pixels. The caller frees. */
static unsigned char *png_image_chunks(const unsigned char *p, size_t n,
                                       size_t *out_len) {
  static const char *const keep[] = {"IHDR", "PLTE", "tRNS", "IDAT"};
  static const unsigned char iend[12] = {0,   0,   0,    0,    'I',  'E',
                                         'N', 'D', 0xae, 0x42, 0x60, 0x82};
  unsigned char *out = malloc(n + sizeof iend);
  if (!out)
    return NULL;
  memcpy(out, p, 8); /* the signature */
  size_t o = 8, i = 8;
  int has_header = 0;
  while (i + 12 <= n) {
    uint32_t len = be32(p + i);
    if (len > n - i - 12)
      break; /* cut short: what came before is kept */
    const unsigned char *type = p + i + 4;
    if (!memcmp(type, "IEND", 4))
      break;
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
      if (!memcmp(type, keep[k], 4)) {
        has_header |= k == 0;
        memcpy(out + o, p + i, (size_t)len + 12);
        o += (size_t)len + 12;
        break;
      }
    i += (size_t)len + 12;
  }
  if (!has_header) {
    free(out);
    return NULL;
  }
  memcpy(out + o, iend, sizeof iend);
  *out_len = o + sizeof iend;
  return out;
}

static unsigned rd16(const unsigned char *p, int big) {
  return big ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t rd32(const unsigned char *p, int big) {
  return big ? be32(p)
             : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[1] << 8 | p[0];
}

/* The EXIF orientation of a JPEG (1-8; 1 when it has none): phones store a
 * photo as the sensor saw it and say in this tag how to turn it, and a
 * page photographed upright may come sideways otherwise. Every read stays
 * inside the bytes and inside the EXIF segment. */
static unsigned jpeg_orientation(const unsigned char *p, size_t n) {
  size_t i = 2;
  while (i + 4 <= n && p[i] == 0xFF) {
    unsigned marker = p[i + 1], len = (unsigned)p[i + 2] << 8 | p[i + 3];
    if (marker == 0xDA || marker == 0xD9 || len < 2 || len > n - i - 2)
      break; /* the image data, the end, or a broken segment */
    const unsigned char *seg = p + i + 4;
    size_t seg_len = len - 2;
    if (marker == 0xE1 && seg_len >= 14 && !memcmp(seg, "Exif\0\0", 6)) {
      const unsigned char *t = seg + 6; /* the TIFF header */
      size_t tn = seg_len - 6;
      int big = !memcmp(t, "MM", 2);
      if (!big && memcmp(t, "II", 2))
        return 1;
      uint32_t ifd = rd32(t + 4, big);
      if (ifd > tn - 2)
        return 1;
      unsigned count = rd16(t + ifd, big);
      for (unsigned k = 0; k < count; k++) {
        size_t e = (size_t)ifd + 2 + (size_t)k * 12;
        if (e + 12 > tn)
          break;
        if (rd16(t + e, big) == 0x0112 && rd16(t + e + 2, big) == 3) {
          unsigned o = rd16(t + e + 8, big);
          return o >= 1 && o <= 8 ? o : 1;
        }
      }
      return 1;
    }
    i += 2 + len;
  }
  return 1;
}

/* pix turned as EXIF orientation o says; NULL when it stays as it is. */
static PIX *upright(PIX *pix, unsigned o) {
  PIX *t = NULL;
  switch (o) {
  case 2: return pixFlipLR(NULL, pix);
  case 3: return pixRotateOrth(pix, 2);
  case 4: return pixFlipTB(NULL, pix);
  case 5: /* transposed: a quarter turn clockwise, then mirrored */
  case 7: /* transversed: three quarters, then mirrored */
    t = pixRotateOrth(pix, o == 5 ? 1 : 3);
    if (t) {
      PIX *m = pixFlipLR(NULL, t);
      pixDestroy(&t);
      return m;
    }
    return NULL;
  case 6: return pixRotateOrth(pix, 1);
  case 8: return pixRotateOrth(pix, 3);
  default: return NULL;
  }
}

int lv_image_decode(const void *bytes, size_t n, struct Pix **out,
                    levee_error *err) {
  pthread_once(&quiet_once, quiet);
  const char *kind = lv_image_kind(bytes, n);
  if (!kind)
    return lv_error_set(err, LEVEE_EINVAL, "not an image levee reads");
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(bytes, n, &format, &w, &h, &bps, &spp, &cmap) ||
      w <= 0 || h <= 0)
    return lv_error_set(err, LEVEE_EINVAL, "%s image with an unreadable header",
                        kind);
  uint64_t pixels = (uint64_t)w * (uint64_t)h;
  if (pixels > LV_MAX_IMAGE_PIXELS)
    return lv_error_set(err, LEVEE_ETOOBIG,
                        "%s image of %dx%d pixels, over the limit of %u", kind,
                        (int)w, (int)h, (unsigned)LV_MAX_IMAGE_PIXELS);
  PIX *pix = NULL;
  if (format == IFF_JFIF_JPEG) {
    /* libjpeg scales while it decodes: 1/2, 1/4 or 1/8. */
    l_int32 reduction = 1, warnings = 0;
    while (reduction < 8 &&
           pixels / ((uint64_t)reduction * reduction) > LV_MAX_DECODE_PIXELS)
      reduction *= 2;
    pix = pixReadMemJpeg(bytes, n, 0, reduction, &warnings, 0);
    unsigned o = pix ? jpeg_orientation(bytes, n) : 1;
    PIX *turned = o != 1 ? upright(pix, o) : NULL;
    if (turned) {
      pixDestroy(&pix);
      pix = turned;
    }
  } else {
    if (pixels > LV_MAX_DECODE_PIXELS)
      return lv_error_set(err, LEVEE_ETOOBIG,
                          "%s image of %dx%d pixels, over the limit of %u for "
                          "this format",
                          kind, (int)w, (int)h, (unsigned)LV_MAX_DECODE_PIXELS);
    if (format == IFF_PNG) {
      size_t len = 0;
      unsigned char *png = png_image_chunks(bytes, n, &len);
      if (!png)
        return lv_error_set(err, LEVEE_EINVAL,
                            "png image with no readable header chunk");
      pix = pixReadMem(png, len);
      free(png);
    } else {
      pix = pixReadMem(bytes, n);
    }
  }
  if (!pix)
    return lv_error_set(err, LEVEE_EINVAL,
                        "%s image of %dx%d pixels that does not decode "
                        "(corrupt or truncated)",
                        kind, (int)w, (int)h);
  /* What was decoded must be what the header said (or its reduction). */
  if ((uint64_t)pixGetWidth(pix) * (uint64_t)pixGetHeight(pix) > pixels) {
    pixDestroy(&pix);
    return lv_error_set(err, LEVEE_EINVAL,
                        "%s image larger than its header says", kind);
  }
  *out = pix;
  return LEVEE_OK;
}

/* Replaces *pix with next, a new image made from it (NULL: out of
 * memory, *pix kept). */
static int step(PIX **pix, PIX *next) {
  if (!next)
    return LEVEE_ENOMEM;
  pixDestroy(pix);
  *pix = next;
  return LEVEE_OK;
}

/* Frames OCR cannot read through: the box around a stamped marking (a red
 * 机密 in a rectangle) came out as nothing at all, or as brackets and
 * bars around misread characters. A frame is a connected component of the
 * dark pixels that is wider than tall (FRAME_ASPECT: it holds a word, so it
 * is no boxed character such as 口), at least FRAME_MIN_W x FRAME_MIN_H,
 * mostly empty (under FRAME_FILL of its box dark) and closed: dark along
 * each of its four edges (FRAME_EDGE of each). Its pixels are painted
 * white, and what it framed is left to be read. */
#define FRAME_MIN_W 60
#define FRAME_MIN_H 30
#define FRAME_ASPECT 1.3
#define FRAME_FILL 0.3
#define FRAME_EDGE 0.5
#define FRAME_BAND 5

/* The share of one edge of m that is dark within FRAME_BAND pixels of it
 * (a band, since a stamp is often set at a slant). */
static double edge_share(PIX *m, int vertical, int at_end) {
  int w = pixGetWidth(m), h = pixGetHeight(m);
  int len = vertical ? h : w, dark = 0;
  for (int i = 0; i < len; i++) {
    int hit = 0;
    for (int d = 0; d < FRAME_BAND && !hit; d++) {
      int x = vertical ? (at_end ? w - 1 - d : d) : i;
      int y = vertical ? i : (at_end ? h - 1 - d : d);
      l_uint32 v = 0;
      if (x >= 0 && y >= 0 && x < w && y < h)
        pixGetPixel(m, x, y, &v);
      hit = v != 0;
    }
    dark += hit;
  }
  return len ? (double)dark / len : 0;
}

static int is_frame(PIX *m) {
  int w = pixGetWidth(m), h = pixGetHeight(m);
  if (w < FRAME_MIN_W || h < FRAME_MIN_H || w < FRAME_ASPECT * h)
    return 0;
  l_int32 count = 0;
  pixCountPixels(m, &count, NULL);
  if ((double)count >= FRAME_FILL * w * h)
    return 0;
  return edge_share(m, 0, 0) >= FRAME_EDGE &&
         edge_share(m, 0, 1) >= FRAME_EDGE &&
         edge_share(m, 1, 0) >= FRAME_EDGE && edge_share(m, 1, 1) >= FRAME_EDGE;
}

/* Paints the frames of gray (8 bpp) white; gray is left as it was when
 * anything fails (the frames stay, OCR reads what it can). */
static void erase_frames(PIX *gray) {
  PIX *bin = NULL;
  if (pixOtsuAdaptiveThreshold(gray, pixGetWidth(gray), pixGetHeight(gray), 0,
                               0, 0.0f, NULL, &bin) ||
      !bin)
    return;
  PIXA *parts = NULL;
  BOXA *boxes = pixConnComp(bin, &parts, 8);
  int n = parts ? pixaGetCount(parts) : 0;
  for (int i = 0; i < n; i++) {
    PIX *m = pixaGetPix(parts, i, L_CLONE);
    l_int32 x, y, w, h;
    if (m && is_frame(m) && !boxaGetBoxGeometry(boxes, i, &x, &y, &w, &h))
      pixPaintThroughMask(gray, m, x, y, 255);
    pixDestroy(&m);
  }
  boxaDestroy(&boxes);
  pixaDestroy(&parts);
  pixDestroy(&bin);
}

/* The smallest side, after scaling, an image must keep to hold a line of
 * text. */
#define MIN_SIDE 8

int lv_image_for_ocr(struct Pix *src, struct Pix **out, levee_error *err) {
  pthread_once(&quiet_once, quiet);
  l_int32 w = pixGetWidth(src), h = pixGetHeight(src);
  l_int32 side = w > h ? w : h;
  float scale = 1.0f;
  if (side > LV_OCR_MAX_SIDE)
    scale = (float)LV_OCR_MAX_SIDE / (float)side;
  else if (side < 1600)
    scale = side * 2 < 1600 ? 2.0f : 1600.0f / (float)side;
  if ((float)(w < h ? w : h) * scale < MIN_SIDE)
    return lv_error_set(err, LEVEE_EINVAL,
                        "image of %dx%d pixels: too small or too thin to hold "
                        "text",
                        (int)w, (int)h);
  PIX *pix = pixConvertTo8(src, 0);
  int rc = pix ? LEVEE_OK : LEVEE_ENOMEM;
  if (!rc && scale != 1.0f)
    rc = step(&pix, pixScaleGrayLI(pix, scale, scale));
  if (!rc) {
    l_float32 angle = 0, conf = 0;
    PIX *straight = pixDeskewGeneral(pix, 0, 0.0f, 0.0f, 0, 0, &angle, &conf);
    if (straight)
      rc = step(&pix, straight);
  }
  if (!rc)
    erase_frames(pix);

  if (rc) {
    pixDestroy(&pix);
    return lv_error_set(err, rc, "out of memory preparing an image for OCR");
  }
  *out = pix;
  return LEVEE_OK;
}
