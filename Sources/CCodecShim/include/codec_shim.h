#ifndef STYLIZE_CODEC_SHIM_H
#define STYLIZE_CODEC_SHIM_H

/*
 * A thin C layer over libjpeg(-turbo) and libpng 1.6.
 *
 * Both libraries report fatal errors by longjmp, which must never cross Swift
 * frames. Every function here sets its own setjmp point, turns library errors
 * into a status code plus a message written to `msg` (always NUL-terminated,
 * truncated to `msg_capacity`), frees everything it allocated, and returns.
 * No function prints to stderr or calls exit().
 *
 * Buffers returned through `out` pointers are allocated with malloc and must be
 * released with sc_free().
 */

#include <stddef.h>
#include <stdint.h>

/// Status codes shared by every function.
enum {
    SC_OK = 0,
    SC_ERR_CORRUPT = 1,     ///< the data breaks the format's rules
    SC_ERR_TRUNCATED = 2,   ///< the data ends before the image does
    SC_ERR_UNSUPPORTED = 3, ///< a valid file this shim does not decode
    SC_ERR_NOMEM = 4,       ///< an allocation failed
    SC_ERR_LIMIT = 5,       ///< a safety limit was hit (scan count, size mismatch)
    SC_ERR_ARGUMENT = 6,    ///< the caller passed inconsistent arguments
    SC_ERR_IO = 7,          ///< writing to the output file failed
};

/* ------------------------------------------------------------------ JPEG -- */

/// Colour space of the stored JPEG components, as libjpeg reports it.
enum {
    SC_JPEG_GRAY = 1,
    SC_JPEG_RGB = 2,   ///< YCbCr or plain RGB: decoded straight to RGB
    SC_JPEG_CMYK = 3,
    SC_JPEG_YCCK = 4,
    SC_JPEG_OTHER = 5, ///< anything else (e.g. two components): not decodable
};

/// What sc_jpeg_read_info learns from the headers (no pixel data is decoded).
typedef struct {
    int width;
    int height;
    int components;
    int color;           ///< one of SC_JPEG_GRAY ... SC_JPEG_OTHER
    int progressive;     ///< 1 when the frame is progressive
    int adobe_marker;    ///< 1 when an Adobe APP14 marker was seen
    size_t exif_length;  ///< bytes of the first "Exif\0\0" APP1 copied out (0 = none)
} sc_jpeg_info;

/// Reads the JPEG headers up to the first scan. Copies the payload of the first
/// APP1 segment that starts with "Exif\0\0" into `exif` (at most
/// `exif_capacity` bytes; 65536 always suffices).
int sc_jpeg_read_info(const uint8_t *data, size_t size, sc_jpeg_info *info,
                      uint8_t *exif, size_t exif_capacity,
                      char *msg, size_t msg_capacity);

/// Decodes the whole image to interleaved 8-bit RGB, top row first, into `rgb`
/// which must hold exactly width*height*3 bytes (checked). Grayscale is
/// replicated; CMYK/YCCK is converted (Adobe-marked files are taken as
/// Photoshop-style inverted CMYK, others as plain CMYK). Corrupt-data warnings
/// (premature end of file, bad Huffman codes, ...) are errors. A progressive
/// file with more than `max_scans` scans is refused (SC_ERR_LIMIT).
int sc_jpeg_decode_rgb(const uint8_t *data, size_t size, int max_scans,
                       uint8_t *rgb, size_t rgb_size,
                       char *msg, size_t msg_capacity);

/// Pixel layout handed to the JPEG encoder.
enum { SC_JPEG_IN_GRAY = 1, SC_JPEG_IN_RGB = 3, SC_JPEG_IN_CMYK = 4 };
/// Colour space stored in the file (SC_JPEG_STORE_DEFAULT: gray stays gray,
/// RGB becomes YCbCr, CMYK stays CMYK).
enum { SC_JPEG_STORE_DEFAULT = 0, SC_JPEG_STORE_YCCK = 1 };

typedef struct {
    int quality;        ///< 1...100
    int input;          ///< SC_JPEG_IN_*
    int store;          ///< SC_JPEG_STORE_*
    int progressive;    ///< write a progressive file (jpeg_simple_progression)
    int optimize;       ///< optimised Huffman tables
    int full_chroma;    ///< 4:4:4 instead of libjpeg's default 4:2:0
    int adobe_marker;   ///< -1: libjpeg's choice; 0: never write APP14
} sc_jpeg_encode_options;

/// Encodes `pixels` (width*height*input bytes, interleaved, top row first).
int sc_jpeg_encode(const uint8_t *pixels, int width, int height,
                   const sc_jpeg_encode_options *options,
                   uint8_t **out, size_t *out_size,
                   char *msg, size_t msg_capacity);

/// The same, written to the open file descriptor `fd` through a 64 KiB buffer as it is
/// compressed (nothing but that buffer held in memory); a failed write is SC_ERR_IO.
int sc_jpeg_encode_to_fd(const uint8_t *pixels, int width, int height,
                         const sc_jpeg_encode_options *options, int fd,
                         char *msg, size_t msg_capacity);

/* ------------------------------------------------------------------- PNG -- */

/// What sc_png_read_info learns from the chunks before the first IDAT.
typedef struct {
    int width;
    int height;
    int bit_depth;
    int color_type;   ///< PNG_COLOR_TYPE_* value from IHDR
    int interlaced;   ///< 1 for Adam7
    int has_trns;     ///< 1 when a tRNS chunk is present
} sc_png_info;

/// Reads the signature and the chunks before the image data.
int sc_png_read_info(const uint8_t *data, size_t size, sc_png_info *info,
                     char *msg, size_t msg_capacity);

/// Decodes the image to 8-bit RGB (`channels` 3) or RGBA (`channels` 4, opaque
/// images get alpha 255) into `pixels`, which must hold exactly
/// width*height*channels bytes (checked). 3 channels are only possible for
/// files without alpha and without tRNS. 16-bit samples are scaled with
/// rounding (png_set_scale_16); no gamma correction is applied. Reads through
/// IEND: missing data or any CRC error (critical or ancillary chunk) is an error.
int sc_png_decode8(const uint8_t *data, size_t size, int channels,
                   uint8_t *pixels, size_t pixels_size,
                   char *msg, size_t msg_capacity);

/// Everything needed to write a PNG of any colour type and bit depth.
typedef struct {
    int width;
    int height;
    int bit_depth;            ///< 1, 2, 4, 8 or 16
    int color_type;           ///< PNG_COLOR_TYPE_*
    int interlaced;           ///< 1 for Adam7
    const uint8_t *palette;   ///< RGB triples, for palette images
    int palette_count;
    const uint8_t *trns_alpha;///< palette alpha entries (tRNS), or NULL
    int trns_alpha_count;
    int has_trns_color;       ///< gray / RGB tRNS colour present
    uint16_t trns_color[3];   ///< gray in [0], or red, green, blue
    int compression_level;    ///< zlib level 0...9
} sc_png_encode_options;

/// Encodes rows packed exactly as PNG stores them (each row
/// ceil(width*channels*bit_depth/8) bytes, 16-bit samples big-endian, no filter
/// byte); `pixels_size` must equal height times that row length (checked).
int sc_png_encode(const uint8_t *pixels, size_t pixels_size,
                  const sc_png_encode_options *options,
                  uint8_t **out, size_t *out_size,
                  char *msg, size_t msg_capacity);

/// The same, written to the open file descriptor `fd` through a 64 KiB buffer as it is
/// compressed (nothing but that buffer held in memory); a failed write is SC_ERR_IO.
int sc_png_encode_to_fd(const uint8_t *pixels, size_t pixels_size,
                        const sc_png_encode_options *options, int fd,
                        char *msg, size_t msg_capacity);

/// Releases a buffer returned by an encoder.
void sc_free(void *pointer);

#endif
