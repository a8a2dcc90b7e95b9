/* imgwrite.h: PNG and JPEG files for the tests, written with libpng and libjpeg themselves
 * (the tests need no Python imaging library).
 *
 *   img_write_png(path, w, h, channels, pixels)          1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
 *   img_write_jpeg(path, w, h, channels, pixels, q)      1 gray, 3 RGB; quality q
 * pixels are interleaved, row by row ([h][w][channels] bytes). Both return false on failure.
 */
#ifndef IMGWRITE_H
#define IMGWRITE_H

#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

static inline bool img_write_png(const char *path, int w, int h, int channels,
                                 const unsigned char *pixels) {
    static const png_uint_32 formats[5] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB,
                                           PNG_FORMAT_RGBA};
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    im.width = (png_uint_32)w;
    im.height = (png_uint_32)h;
    im.format = formats[channels];
    return png_image_write_to_file(&im, path, 0, pixels, 0, NULL) != 0;
}

static inline bool img_write_jpeg(const char *path, int w, int h, int channels,
                                  const unsigned char *pixels, int quality) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    struct jpeg_compress_struct jc;
    struct jpeg_error_mgr jerr;
    jc.err = jpeg_std_error(&jerr); /* the tests' own images: an error exits */
    jpeg_create_compress(&jc);
    jpeg_stdio_dest(&jc, f);
    jc.image_width = (JDIMENSION)w;
    jc.image_height = (JDIMENSION)h;
    jc.input_components = channels;
    jc.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&jc);
    jpeg_set_quality(&jc, quality, TRUE);
    jpeg_start_compress(&jc, TRUE);
    while (jc.next_scanline < jc.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)jc.next_scanline * (size_t)(w * channels));
        jpeg_write_scanlines(&jc, &row, 1);
    }
    jpeg_finish_compress(&jc);
    jpeg_destroy_compress(&jc);
    return fclose(f) == 0;
}

#endif
