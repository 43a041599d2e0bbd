/*
 * JPEG through libjpeg(-turbo)'s jpeglib API, with every longjmp kept in C.
 *
 * Pattern used by each entry point: the caller-side function owns a context
 * struct (libjpeg objects, buffers, jmp_buf); a separate "run" function does
 * the setjmp and the work and only ever modifies the context through its
 * pointer, so nothing it touches is an indeterminate local after a longjmp.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "codec_shim.h"
#include "write_all.h"

/* ------------------------------------------------------------- errors ---- */

typedef struct {
    struct jpeg_error_mgr base;   /* must be first: libjpeg casts to it */
    jmp_buf jump;
    int status;                   /* SC_ERR_* to report after the jump */
    char message[JMSG_LENGTH_MAX];
} sc_jpeg_error;

/* Never print anything. */
static void sc_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

/* Replaces libjpeg's error_exit (which would print and call exit()). */
static void sc_jpeg_error_exit(j_common_ptr cinfo) {
    sc_jpeg_error *err = (sc_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    if (err->status == SC_OK) {
        switch (cinfo->err->msg_code) {
        case JERR_OUT_OF_MEMORY: err->status = SC_ERR_NOMEM; break;
        case JERR_BAD_PRECISION:      /* 12-/16-bit samples */
        case JERR_SOF_UNSUPPORTED:    /* lossless and other exotic frame types */
        case JERR_CONVERSION_NOTIMPL:
        case JERR_NOT_COMPILED:
            err->status = SC_ERR_UNSUPPORTED;
            break;
        default: err->status = SC_ERR_CORRUPT; break;
        }
    }
    longjmp(err->jump, 1);
}

/* Warnings that leave the decoded pixels intact: tolerated silently. */
static int sc_jpeg_warning_is_benign(int code) {
    switch (code) {
    case JWRN_EXTRANEOUS_DATA: /* stray bytes between markers, entropy data intact */
    case JWRN_JFIF_MAJOR:      /* unknown JFIF revision */
    case JWRN_ADOBE_XFORM:     /* unknown Adobe transform code: libjpeg falls back */
    case JWRN_BOGUS_ICC:       /* bad ICC marker: we ignore ICC profiles anyway */
        return 1;
    default:
        return 0;
    }
}

/* level < 0: warning (corrupt data); level >= 0: trace message (ignored).
 * Corrupt-data warnings become errors so a damaged file never turns silently
 * into gray pixels. */
static void sc_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    int code = cinfo->err->msg_code;
    if (sc_jpeg_warning_is_benign(code)) return;
    sc_jpeg_error *err = (sc_jpeg_error *)cinfo->err;
    err->status = (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) ? SC_ERR_TRUNCATED : SC_ERR_CORRUPT;
    sc_jpeg_error_exit(cinfo);
}

static void sc_jpeg_install_errors(sc_jpeg_error *err) {
    jpeg_std_error(&err->base);
    err->base.error_exit = sc_jpeg_error_exit;
    err->base.emit_message = sc_jpeg_emit_message;
    err->base.output_message = sc_jpeg_output_message;
    err->status = SC_OK;
    err->message[0] = '\0';
}

static int sc_fail(char *msg, size_t cap, int status, const char *text) {
    if (msg && cap > 0) {
        strncpy(msg, text, cap - 1);
        msg[cap - 1] = '\0';
    }
    return status;
}

/* --------------------------------------------------------- decoding ----- */

typedef struct {
    struct jpeg_decompress_struct cinfo;
    sc_jpeg_error err;
    struct jpeg_progress_mgr progress;
    int max_scans;
    unsigned char *row;           /* CMYK scanline buffer (malloc) */
} sc_jpeg_decoder;

/* Refuses "scan bombs": progressive files with absurd numbers of scans, each
 * of which costs a pass over the whole coefficient buffer. */
static void sc_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    sc_jpeg_decoder *dec = (sc_jpeg_decoder *)d; /* cinfo is the first member */
    if (dec->max_scans > 0 && d->input_scan_number > dec->max_scans) {
        sc_jpeg_error *err = (sc_jpeg_error *)cinfo->err;
        err->status = SC_ERR_LIMIT;
        snprintf(err->message, sizeof err->message,
                 "progressive JPEG has more than %d scans", dec->max_scans);
        longjmp(err->jump, 1);
    }
}

static int sc_jpeg_color_of(const struct jpeg_decompress_struct *c) {
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: return c->num_components == 1 ? SC_JPEG_GRAY : SC_JPEG_OTHER;
    case JCS_YCbCr:
    case JCS_RGB: return c->num_components == 3 ? SC_JPEG_RGB : SC_JPEG_OTHER;
    case JCS_CMYK: return c->num_components == 4 ? SC_JPEG_CMYK : SC_JPEG_OTHER;
    case JCS_YCCK: return c->num_components == 4 ? SC_JPEG_YCCK : SC_JPEG_OTHER;
    default: return SC_JPEG_OTHER;
    }
}

static void sc_jpeg_fill_info(sc_jpeg_decoder *dec, sc_jpeg_info *info,
                              uint8_t *exif, size_t exif_capacity) {
    struct jpeg_decompress_struct *c = &dec->cinfo;
    info->width = (int)c->image_width;
    info->height = (int)c->image_height;
    info->components = c->num_components;
    info->color = sc_jpeg_color_of(c);
    info->progressive = c->progressive_mode ? 1 : 0;
    info->adobe_marker = c->saw_Adobe_marker ? 1 : 0;
    info->exif_length = 0;
    for (jpeg_saved_marker_ptr m = c->marker_list; m != NULL; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0) {
            size_t n = m->data_length < exif_capacity ? m->data_length : exif_capacity;
            if (exif && n > 0) memcpy(exif, m->data, n);
            info->exif_length = exif ? n : 0;
            break;
        }
    }
}

static int sc_jpeg_info_run(sc_jpeg_decoder *dec, const uint8_t *data, size_t size,
                            sc_jpeg_info *info, uint8_t *exif, size_t exif_capacity) {
    if (setjmp(dec->err.jump)) return dec->err.status;
    jpeg_create_decompress(&dec->cinfo);
    jpeg_mem_src(&dec->cinfo, data, (unsigned long)size);
    jpeg_save_markers(&dec->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&dec->cinfo, TRUE);
    sc_jpeg_fill_info(dec, info, exif, exif_capacity);
    return SC_OK;
}

int sc_jpeg_read_info(const uint8_t *data, size_t size, sc_jpeg_info *info,
                      uint8_t *exif, size_t exif_capacity,
                      char *msg, size_t msg_capacity) {
    if (!data || size == 0 || !info) return sc_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "no data");
    sc_jpeg_decoder *dec = calloc(1, sizeof *dec);
    if (!dec) return sc_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
    sc_jpeg_install_errors(&dec->err);
    dec->cinfo.err = &dec->err.base;
    int status = sc_jpeg_info_run(dec, data, size, info, exif, exif_capacity);
    if (status != SC_OK) sc_fail(msg, msg_capacity, status, dec->err.message);
    jpeg_destroy_decompress(&dec->cinfo);
    free(dec);
    return status;
}

/* Inverted (Adobe/Photoshop) CMYK stores 255 for "no ink":
 * R = C*K/255. Plain CMYK: R = (255-C)*(255-K)/255. Rounded to nearest. */
static void sc_cmyk_row_to_rgb(const unsigned char *cmyk, uint8_t *rgb, int width, int inverted) {
    for (int x = 0; x < width; x++) {
        unsigned c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        rgb[3 * x] = (uint8_t)((c * k + 127) / 255);
        rgb[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
        rgb[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

static int sc_jpeg_decode_run(sc_jpeg_decoder *dec, const uint8_t *data, size_t size,
                              uint8_t *rgb, size_t rgb_size) {
    struct jpeg_decompress_struct *c = &dec->cinfo;
    if (setjmp(dec->err.jump)) return dec->err.status;
    jpeg_create_decompress(c);
    dec->progress.progress_monitor = sc_jpeg_progress;
    c->progress = &dec->progress;
    jpeg_mem_src(c, data, (unsigned long)size);
    jpeg_read_header(c, TRUE);

    int color = sc_jpeg_color_of(c);
    if (color == SC_JPEG_OTHER) {
        dec->err.status = SC_ERR_UNSUPPORTED;
        snprintf(dec->err.message, sizeof dec->err.message,
                 "unsupported JPEG colour space (%d components)", c->num_components);
        return dec->err.status;
    }
    size_t expected = (size_t)c->image_width * (size_t)c->image_height * 3;
    if (expected != rgb_size) {
        dec->err.status = SC_ERR_LIMIT;
        snprintf(dec->err.message, sizeof dec->err.message, "output buffer does not match the image size");
        return dec->err.status;
    }
    int cmyk = (color == SC_JPEG_CMYK || color == SC_JPEG_YCCK);
    c->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(c);
    if (c->output_width != c->image_width || c->output_height != c->image_height ||
        c->output_components != (cmyk ? 4 : 3)) {
        dec->err.status = SC_ERR_UNSUPPORTED;
        snprintf(dec->err.message, sizeof dec->err.message, "unexpected JPEG output layout");
        return dec->err.status;
    }
    size_t stride = (size_t)c->output_width * 3;
    if (cmyk) {
        dec->row = malloc((size_t)c->output_width * 4);
        if (!dec->row) {
            dec->err.status = SC_ERR_NOMEM;
            snprintf(dec->err.message, sizeof dec->err.message, "out of memory");
            return dec->err.status;
        }
    }
    while (c->output_scanline < c->output_height) {
        size_t y = c->output_scanline;
        if (cmyk) {
            JSAMPROW rows[1] = { dec->row };
            if (jpeg_read_scanlines(c, rows, 1) != 1) break;
            sc_cmyk_row_to_rgb(dec->row, rgb + y * stride, (int)c->output_width, c->saw_Adobe_marker);
        } else {
            JSAMPROW rows[1] = { rgb + y * stride };
            if (jpeg_read_scanlines(c, rows, 1) != 1) break;
        }
    }
    if (c->output_scanline < c->output_height) {
        dec->err.status = SC_ERR_TRUNCATED;
        snprintf(dec->err.message, sizeof dec->err.message, "image data ends early");
        return dec->err.status;
    }
    jpeg_finish_decompress(c);
    return SC_OK;
}

int sc_jpeg_decode_rgb(const uint8_t *data, size_t size, int max_scans,
                       uint8_t *rgb, size_t rgb_size,
                       char *msg, size_t msg_capacity) {
    if (!data || size == 0 || !rgb) return sc_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "no data");
    sc_jpeg_decoder *dec = calloc(1, sizeof *dec);
    if (!dec) return sc_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
    sc_jpeg_install_errors(&dec->err);
    dec->cinfo.err = &dec->err.base;
    dec->max_scans = max_scans;
    int status = sc_jpeg_decode_run(dec, data, size, rgb, rgb_size);
    if (status != SC_OK) sc_fail(msg, msg_capacity, status, dec->err.message);
    jpeg_destroy_decompress(&dec->cinfo);
    free(dec->row);
    free(dec);
    return status;
}

/* --------------------------------------------------------- encoding ----- */

typedef struct {
    struct jpeg_compress_struct cinfo;
    sc_jpeg_error err;
    struct jpeg_destination_mgr dest;
    unsigned char *buffer;   /* growable output (malloc), owned here; with fd >= 0 a 64 KiB staging buffer */
    size_t capacity;
    size_t length;
    int fd;                  /* >= 0: the file the output streams to */
} sc_jpeg_encoder;

static sc_jpeg_encoder *sc_encoder_of(j_compress_ptr cinfo) {
    return (sc_jpeg_encoder *)cinfo; /* cinfo is the first member */
}

static void sc_dest_init(j_compress_ptr cinfo) {
    sc_jpeg_encoder *enc = sc_encoder_of(cinfo);
    enc->capacity = 65536;
    enc->buffer = malloc(enc->capacity);
    if (!enc->buffer) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 1);
    enc->dest.next_output_byte = enc->buffer;
    enc->dest.free_in_buffer = enc->capacity;
}

/* fd mode: writes `length` staged bytes to the file (an error exit when that fails). */
static void sc_dest_drain(j_compress_ptr cinfo, size_t length) {
    sc_jpeg_encoder *enc = sc_encoder_of(cinfo);
    int e = sc_write_all(enc->fd, enc->buffer, length);
    if (e != 0) {
        enc->err.status = SC_ERR_IO;
        snprintf(enc->err.message, sizeof enc->err.message, "write failed: %s", strerror(e));
        longjmp(enc->err.jump, 1);
    }
    enc->dest.next_output_byte = enc->buffer;
    enc->dest.free_in_buffer = enc->capacity;
}

/* Called when the whole buffer is full: double it (fd mode: write it out). */
static boolean sc_dest_empty(j_compress_ptr cinfo) {
    sc_jpeg_encoder *enc = sc_encoder_of(cinfo);
    if (enc->fd >= 0) {
        sc_dest_drain(cinfo, enc->capacity);
        return TRUE;
    }
    size_t used = enc->capacity;
    size_t bigger = enc->capacity * 2;
    unsigned char *grown = realloc(enc->buffer, bigger);
    if (!grown) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 2);
    enc->buffer = grown;
    enc->capacity = bigger;
    enc->dest.next_output_byte = grown + used;
    enc->dest.free_in_buffer = bigger - used;
    return TRUE;
}

static void sc_dest_term(j_compress_ptr cinfo) {
    sc_jpeg_encoder *enc = sc_encoder_of(cinfo);
    if (enc->fd >= 0) {
        sc_dest_drain(cinfo, enc->capacity - enc->dest.free_in_buffer);
        return;
    }
    enc->length = enc->capacity - enc->dest.free_in_buffer;
}

static int sc_jpeg_encode_run(sc_jpeg_encoder *enc, const uint8_t *pixels, int width, int height,
                              const sc_jpeg_encode_options *o) {
    struct jpeg_compress_struct *c = &enc->cinfo;
    if (setjmp(enc->err.jump)) return enc->err.status;
    jpeg_create_compress(c);
    enc->dest.init_destination = sc_dest_init;
    enc->dest.empty_output_buffer = sc_dest_empty;
    enc->dest.term_destination = sc_dest_term;
    c->dest = &enc->dest;

    c->image_width = (JDIMENSION)width;
    c->image_height = (JDIMENSION)height;
    c->input_components = o->input;
    c->in_color_space = o->input == SC_JPEG_IN_GRAY ? JCS_GRAYSCALE
                      : o->input == SC_JPEG_IN_CMYK ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(c);
    if (o->store == SC_JPEG_STORE_YCCK && o->input == SC_JPEG_IN_CMYK) jpeg_set_colorspace(c, JCS_YCCK);
    jpeg_set_quality(c, o->quality, TRUE);
    if (o->full_chroma) {
        for (int i = 0; i < c->num_components; i++) {
            c->comp_info[i].h_samp_factor = 1;
            c->comp_info[i].v_samp_factor = 1;
        }
    }
    c->optimize_coding = o->optimize ? TRUE : FALSE;
    c->dct_method = JDCT_ISLOW;
    if (o->adobe_marker == 0) c->write_Adobe_marker = FALSE;
    if (o->progressive) jpeg_simple_progression(c);

    jpeg_start_compress(c, TRUE);
    size_t stride = (size_t)width * (size_t)o->input;
    while (c->next_scanline < c->image_height) {
        JSAMPROW rows[1] = { (JSAMPROW)(pixels + (size_t)c->next_scanline * stride) };
        jpeg_write_scanlines(c, rows, 1);
    }
    jpeg_finish_compress(c);
    return SC_OK;
}

/* Encodes to memory (*out, *out_size) when fd < 0, else to the file. */
static int sc_jpeg_encode_any(const uint8_t *pixels, int width, int height,
                              const sc_jpeg_encode_options *options, int fd,
                              uint8_t **out, size_t *out_size,
                              char *msg, size_t msg_capacity) {
    if (!pixels || !options || (fd < 0 && (!out || !out_size)) || width <= 0 || height <= 0 ||
        width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION)
        return sc_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "image size must be 1...65500 pixels per side for JPEG");
    if (options->input != SC_JPEG_IN_GRAY && options->input != SC_JPEG_IN_RGB && options->input != SC_JPEG_IN_CMYK)
        return sc_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "unknown JPEG input layout");
    if (options->quality < 1 || options->quality > 100)
        return sc_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "JPEG quality must be 1...100");
    if (fd < 0) {
        *out = NULL;
        *out_size = 0;
    }
    sc_jpeg_encoder *enc = calloc(1, sizeof *enc);
    if (!enc) return sc_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
    enc->fd = fd;
    sc_jpeg_install_errors(&enc->err);
    enc->cinfo.err = &enc->err.base;
    int status = sc_jpeg_encode_run(enc, pixels, width, height, options);
    jpeg_destroy_compress(&enc->cinfo);
    if (status == SC_OK && fd < 0) {
        *out = enc->buffer;
        *out_size = enc->length;
    } else if (status == SC_OK) {
        free(enc->buffer);
    } else {
        sc_fail(msg, msg_capacity, status, enc->err.message);
        free(enc->buffer);
    }
    free(enc);
    return status;
}

int sc_jpeg_encode(const uint8_t *pixels, int width, int height,
                   const sc_jpeg_encode_options *options,
                   uint8_t **out, size_t *out_size,
                   char *msg, size_t msg_capacity) {
    return sc_jpeg_encode_any(pixels, width, height, options, -1, out, out_size, msg, msg_capacity);
}

int sc_jpeg_encode_to_fd(const uint8_t *pixels, int width, int height,
                         const sc_jpeg_encode_options *options, int fd,
                         char *msg, size_t msg_capacity) {
    if (fd < 0) return sc_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "bad file descriptor");
    return sc_jpeg_encode_any(pixels, width, height, options, fd, NULL, NULL, msg, msg_capacity);
}

void sc_free(void *pointer) { free(pointer); }
