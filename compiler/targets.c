/* targets.c: the targets mlc writes programs for, by name.
 *
 * A target is one file in backend/ that defines its Target (mlc.h): its name, the extension
 * of its source, the names its code reserves, what it can do, and how it emits and builds a
 * program. Adding one means writing that file and listing it here.
 */
#include "mlc.h"

static const Target *const targets[] = {&target_c, &target_firmware, &target_cuda};

enum {
    NTARGETS = sizeof targets / sizeof targets[0]
};

const Target *target_find(const char *name) {
    for (int i = 0; i < NTARGETS; i++)
        if (!strcmp(targets[i]->name, name))
            return targets[i];
    return NULL;
}

const char *target_names(Arena *a) {
    const char *names = "";
    for (int i = 0; i < NTARGETS; i++)
        names = arena_printf(a, "%s%s%s", names, i ? ", " : "", targets[i]->name);
    return names;
}
