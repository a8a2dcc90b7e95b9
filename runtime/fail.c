/* fail.c: the one way the runtime's checking functions report an error.
 *
 * Functions that can fail on bad input (IDX files, safetensors files, options) take an
 * error buffer; they write "file: reason" into it with mlc_fail and return its false.
 * mlc_main prints the message and exits with status 1.
 */
#include "mlc_runtime.h"

#include <stdarg.h>
#include <stdio.h>

bool mlc_fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}
