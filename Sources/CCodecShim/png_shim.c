/*
 * PNG through libpng 1.6, with every longjmp kept in C.
 *
 * Same pattern as jpeg_shim.c: the entry point owns a heap context holding the
 * libpng objects, buffers and the jmp_buf; the "run" function does setjmp and
 * touches state only through the context pointer. Our error callback copies
 * libpng's message and longjmps to that jmp_buf; the warning callback is
 * silent, so libpng never prints to stderr.
 *
 * CRC policy: a bad CRC on ANY chunk, critical or ancillary, is an error
 * (png_set_crc_action(ERROR_QUIT, ERROR_QUIT)); libpng's default would only
 * warn and drop a damaged ancillary chunk.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "codec_shim.h"
#include "write_all.h"

typedef struct {
    png_structp png;
    png_infop info;
    jmp_buf jump;
    int status;
    char message[200];
    /* reading */
    const uint8_t *data;
    size_t size;
    size_t offset;
    png_bytep *rows;
    /* writing: to `buffer` (grown), or with fd >= 0 through it (64 KiB) to the file */
    unsigned char *buffer;
    size_t capacity;
    size_t length;
    int fd;
} sc_png_context;

static int sc_png_fail(char *msg, size_t cap, int status, const char *text) {
    if (msg && cap > 0) {
        strncpy(msg, text, cap - 1);
        msg[cap - 1] = '\0';
    }
    return status;
}

static void sc_png_error(png_structp png, png_const_charp text) {
    sc_png_context *ctx = png_get_error_ptr(png);
    if (ctx->status == SC_OK) ctx->status = SC_ERR_CORRUPT;
    snprintf(ctx->message, sizeof ctx->message, "%s", text ? text : "libpng error");
    longjmp(ctx->jump, 1);
}

static void sc_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text; /* silent: warnings are recoverable by definition */
}

/* Reads from the in-memory file; running off its end is a truncation error. */
static void sc_png_read_data(png_structp png, png_bytep out, size_t length) {
    sc_png_context *ctx = png_get_io_ptr(png);
    if (length > ctx->size - ctx->offset) {
        ctx->status = SC_ERR_TRUNCATED;
        png_error(png, "file ends early (truncated)");
    }
    memcpy(out, ctx->data + ctx->offset, length);
    ctx->offset += length;
}

/* Reading setup shared by info and decode. */
static void sc_png_begin_read(sc_png_context *ctx) {
    ctx->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, sc_png_error, sc_png_warning);
    if (!ctx->png) {
        ctx->status = SC_ERR_NOMEM;
        snprintf(ctx->message, sizeof ctx->message, "cannot create PNG reader");
        longjmp(ctx->jump, 1);
    }
    ctx->info = png_create_info_struct(ctx->png);
    if (!ctx->info) png_error(ctx->png, "cannot create PNG info");
    if (ctx->size < 8 || png_sig_cmp(ctx->data, 0, 8) != 0) {
        ctx->status = ctx->size < 8 ? SC_ERR_TRUNCATED : SC_ERR_CORRUPT;
        png_error(ctx->png, "bad PNG signature");
    }
    png_set_read_fn(ctx->png, ctx, sc_png_read_data);
    png_set_crc_action(ctx->png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    /* IHDR allows 2^31-1 per side; nothing legitimate here is wider than this.
     * The caller's pixel limit is checked on top, before any image allocation. */
    png_set_user_limits(ctx->png, 1000000, 1000000);
    png_set_chunk_cache_max(ctx->png, 1000);           /* ancillary chunk count */
    png_set_chunk_malloc_max(ctx->png, 16u * 1024 * 1024); /* e.g. iCCP / zTXt bombs */
    png_read_info(ctx->png, ctx->info);
}

static void sc_png_fill_info(sc_png_context *ctx, sc_png_info *info) {
    info->width = (int)png_get_image_width(ctx->png, ctx->info);
    info->height = (int)png_get_image_height(ctx->png, ctx->info);
    info->bit_depth = png_get_bit_depth(ctx->png, ctx->info);
    info->color_type = png_get_color_type(ctx->png, ctx->info);
    info->interlaced = png_get_interlace_type(ctx->png, ctx->info) != PNG_INTERLACE_NONE;
    info->has_trns = png_get_valid(ctx->png, ctx->info, PNG_INFO_tRNS) ? 1 : 0;
}

static sc_png_context *sc_png_new_reader(const uint8_t *data, size_t size) {
    sc_png_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->data = data;
    ctx->size = size;
    return ctx;
}

static void sc_png_free_reader(sc_png_context *ctx) {
    if (ctx->png) png_destroy_read_struct(&ctx->png, ctx->info ? &ctx->info : NULL, NULL);
    free(ctx->rows);
    free(ctx);
}

static int sc_png_info_run(sc_png_context *ctx, sc_png_info *info) {
    if (setjmp(ctx->jump)) return ctx->status;
    sc_png_begin_read(ctx);
    sc_png_fill_info(ctx, info);
    return SC_OK;
}

int sc_png_read_info(const uint8_t *data, size_t size, sc_png_info *info,
                     char *msg, size_t msg_capacity) {
    if (!data || size == 0 || !info) return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "no data");
    sc_png_context *ctx = sc_png_new_reader(data, size);
    if (!ctx) return sc_png_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
    int status = sc_png_info_run(ctx, info);
    if (status != SC_OK) sc_png_fail(msg, msg_capacity, status, ctx->message);
    sc_png_free_reader(ctx);
    return status;
}

static int sc_png_decode_run(sc_png_context *ctx, int channels, uint8_t *pixels, size_t pixels_size) {
    if (setjmp(ctx->jump)) return ctx->status;
    sc_png_begin_read(ctx);
    png_structp png = ctx->png;
    png_infop info = ctx->info;
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if ((size_t)width * (size_t)height * (size_t)channels != pixels_size) {
        ctx->status = SC_ERR_LIMIT;
        png_error(png, "output buffer does not match the image size");
    }
    int color = png_get_color_type(png, info);

    /* Everything becomes 8-bit RGB or RGBA. */
    png_set_expand(png);                 /* palette -> RGB, gray < 8 bit -> 8, tRNS -> alpha */
#ifdef PNG_READ_SCALE_16_TO_8_SUPPORTED
    png_set_scale_16(png);               /* 16 -> 8 rounded to nearest */
#else
    png_set_strip_16(png);
#endif
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (channels == 4) png_set_add_alpha(png, 0xFFFF, PNG_FILLER_AFTER); /* no-op when alpha exists */
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    if (png_get_rowbytes(png, info) != (size_t)width * (size_t)channels ||
        png_get_channels(png, info) != channels || png_get_bit_depth(png, info) != 8) {
        ctx->status = SC_ERR_UNSUPPORTED;
        png_error(png, "unexpected PNG output layout");
    }
    ctx->rows = malloc(sizeof(png_bytep) * (size_t)height);
    if (!ctx->rows) {
        ctx->status = SC_ERR_NOMEM;
        png_error(png, "out of memory");
    }
    for (png_uint_32 y = 0; y < height; y++) ctx->rows[y] = pixels + (size_t)y * width * (size_t)channels;
    png_read_image(png, ctx->rows);
    png_read_end(png, NULL);  /* checks the CRCs of the trailing chunks and that IEND exists */
    return SC_OK;
}

int sc_png_decode8(const uint8_t *data, size_t size, int channels,
                   uint8_t *pixels, size_t pixels_size,
                   char *msg, size_t msg_capacity) {
    if (!data || size == 0 || !pixels || (channels != 3 && channels != 4))
        return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "bad arguments");
    sc_png_context *ctx = sc_png_new_reader(data, size);
    if (!ctx) return sc_png_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
    int status = sc_png_decode_run(ctx, channels, pixels, pixels_size);
    if (status != SC_OK) sc_png_fail(msg, msg_capacity, status, ctx->message);
    sc_png_free_reader(ctx);
    return status;
}

/* ------------------------------------------------------------ writing --- */

/* Writes the buffered bytes to the file (fd mode). */
static void sc_png_drain(png_structp png, sc_png_context *ctx, const unsigned char *bytes, size_t length) {
    int e = sc_write_all(ctx->fd, bytes, length);
    if (e != 0) {
        char text[160];
        snprintf(text, sizeof text, "write failed: %s", strerror(e));
        ctx->status = SC_ERR_IO;
        png_error(png, text);
    }
}

static void sc_png_write_data(png_structp png, png_bytep bytes, size_t length) {
    sc_png_context *ctx = png_get_io_ptr(png);
    if (ctx->fd >= 0) {
        if (length > ctx->capacity - ctx->length) {
            sc_png_drain(png, ctx, ctx->buffer, ctx->length);
            ctx->length = 0;
        }
        if (length >= ctx->capacity) {
            sc_png_drain(png, ctx, bytes, length);
        } else {
            memcpy(ctx->buffer + ctx->length, bytes, length);
            ctx->length += length;
        }
        return;
    }
    if (length > ctx->capacity - ctx->length) {
        size_t wanted = ctx->capacity ? ctx->capacity : 65536;
        while (wanted - ctx->length < length) {
            if (wanted > ((size_t)-1) / 2) {
                ctx->status = SC_ERR_NOMEM;
                png_error(png, "output too large");
            }
            wanted *= 2;
        }
        unsigned char *grown = realloc(ctx->buffer, wanted);
        if (!grown) {
            ctx->status = SC_ERR_NOMEM;
            png_error(png, "out of memory");
        }
        ctx->buffer = grown;
        ctx->capacity = wanted;
    }
    memcpy(ctx->buffer + ctx->length, bytes, length);
    ctx->length += length;
}

static void sc_png_flush(png_structp png) {
    sc_png_context *ctx = png_get_io_ptr(png);
    if (ctx->fd >= 0 && ctx->length > 0) {
        sc_png_drain(png, ctx, ctx->buffer, ctx->length);
        ctx->length = 0;
    }
}

static int sc_png_channels(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_PALETTE: return 1;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 0;
    }
}

static int sc_png_encode_run(sc_png_context *ctx, const uint8_t *pixels, const sc_png_encode_options *o,
                             size_t row_bytes) {
    if (setjmp(ctx->jump)) return ctx->status;
    ctx->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, sc_png_error, sc_png_warning);
    if (!ctx->png) {
        ctx->status = SC_ERR_NOMEM;
        snprintf(ctx->message, sizeof ctx->message, "cannot create PNG writer");
        return ctx->status;
    }
    ctx->info = png_create_info_struct(ctx->png);
    if (!ctx->info) png_error(ctx->png, "cannot create PNG info");
    png_set_write_fn(ctx->png, ctx, sc_png_write_data, sc_png_flush);
    png_set_compression_level(ctx->png, o->compression_level);
    png_set_IHDR(ctx->png, ctx->info, (png_uint_32)o->width, (png_uint_32)o->height, o->bit_depth,
                 o->color_type, o->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (o->color_type == PNG_COLOR_TYPE_PALETTE) {
        if (!o->palette || o->palette_count < 1 || o->palette_count > 256)
            png_error(ctx->png, "palette image needs 1...256 palette entries");
        png_color entries[256];
        for (int i = 0; i < o->palette_count; i++) {
            entries[i].red = o->palette[3 * i];
            entries[i].green = o->palette[3 * i + 1];
            entries[i].blue = o->palette[3 * i + 2];
        }
        png_set_PLTE(ctx->png, ctx->info, entries, o->palette_count);
        if (o->trns_alpha && o->trns_alpha_count > 0)
            png_set_tRNS(ctx->png, ctx->info, o->trns_alpha, o->trns_alpha_count, NULL);
    } else if (o->has_trns_color) {
        png_color_16 color;
        memset(&color, 0, sizeof color);
        color.gray = o->trns_color[0];
        color.red = o->trns_color[0];
        color.green = o->trns_color[1];
        color.blue = o->trns_color[2];
        png_set_tRNS(ctx->png, ctx->info, NULL, 0, &color);
    }
    png_write_info(ctx->png, ctx->info);
    int passes = o->interlaced ? png_set_interlace_handling(ctx->png) : 1;
    for (int pass = 0; pass < passes; pass++) {
        for (int y = 0; y < o->height; y++) {
            png_write_row(ctx->png, pixels + (size_t)y * row_bytes);
        }
    }
    png_write_end(ctx->png, NULL);
    sc_png_flush(ctx->png);
    return SC_OK;
}

/* Encodes to memory (*out, *out_size) when fd < 0, else to the file. */
static int sc_png_encode_any(const uint8_t *pixels, size_t pixels_size,
                             const sc_png_encode_options *o, int fd,
                             uint8_t **out, size_t *out_size,
                             char *msg, size_t msg_capacity) {
    if (!pixels || !o || (fd < 0 && (!out || !out_size)) || o->width <= 0 || o->height <= 0)
        return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "image must be at least 1x1");
    int channels = sc_png_channels(o->color_type);
    if (channels == 0) return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "unknown PNG colour type");
    if (o->compression_level < 0 || o->compression_level > 9)
        return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "compression level must be 0...9");
    size_t bits = (size_t)o->width * (size_t)channels * (size_t)o->bit_depth;
    size_t row_bytes = (bits + 7) / 8;
    if (row_bytes * (size_t)o->height != pixels_size)
        return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "pixel buffer size does not match the PNG layout");
    if (fd < 0) {
        *out = NULL;
        *out_size = 0;
    }
    sc_png_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return sc_png_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
    ctx->fd = fd;
    if (fd >= 0) {
        ctx->capacity = 65536;
        ctx->buffer = malloc(ctx->capacity);
        if (!ctx->buffer) {
            free(ctx);
            return sc_png_fail(msg, msg_capacity, SC_ERR_NOMEM, "out of memory");
        }
    }
    int status = sc_png_encode_run(ctx, pixels, o, row_bytes);
    if (ctx->png) png_destroy_write_struct(&ctx->png, ctx->info ? &ctx->info : NULL);
    if (status == SC_OK && fd < 0) {
        *out = ctx->buffer;
        *out_size = ctx->length;
    } else if (status == SC_OK) {
        free(ctx->buffer);
    } else {
        sc_png_fail(msg, msg_capacity, status, ctx->message);
        free(ctx->buffer);
    }
    free(ctx);
    return status;
}

int sc_png_encode(const uint8_t *pixels, size_t pixels_size,
                  const sc_png_encode_options *o,
                  uint8_t **out, size_t *out_size,
                  char *msg, size_t msg_capacity) {
    return sc_png_encode_any(pixels, pixels_size, o, -1, out, out_size, msg, msg_capacity);
}

int sc_png_encode_to_fd(const uint8_t *pixels, size_t pixels_size,
                        const sc_png_encode_options *o, int fd,
                        char *msg, size_t msg_capacity) {
    if (fd < 0) return sc_png_fail(msg, msg_capacity, SC_ERR_ARGUMENT, "bad file descriptor");
    return sc_png_encode_any(pixels, pixels_size, o, fd, NULL, NULL, msg, msg_capacity);
}
