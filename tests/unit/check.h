/* check.h: the assertions of the unit tests (chibicc's ASSERT).
 *
 * A failed check prints the file, the line, the expression text and both values, and the
 * test goes on; main returns check_failures so that CTest sees the failure.
 *   CHECK(expect, actual)      integers (compared as long long)
 *   CHECK_STR(expect, actual)  strings (NULL prints as "(null)")
 *   CHECK_TRUE(cond)           anything else
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(expect, actual)                                                                      \
    do {                                                                                           \
        long long e_ = (long long)(expect), a_ = (long long)(actual);                              \
        if (e_ != a_) {                                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s, %s): expected %lld, got %lld\n", __FILE__, __LINE__, \
                    #expect, #actual, e_, a_);                                                     \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(expect, actual)                                                                  \
    do {                                                                                           \
        const char *e_ = (expect), *a_ = (actual);                                                 \
        if (!e_ || !a_ || strcmp(e_, a_) != 0) {                                                   \
            fprintf(stderr, "%s:%d: CHECK_STR(%s, %s):\n  expected \"%s\"\n  got      \"%s\"\n",   \
                    __FILE__, __LINE__, #expect, #actual, e_ ? e_ : "(null)", a_ ? a_ : "(null)"); \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_TRUE(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: CHECK_TRUE(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                             \
        }                                                                                 \
    } while (0)

#endif
