/* test_builtins: docs/language.md documents every built-in function and layer of
 * compiler/builtins.def, and no layer that is not one.
 *
 * Each function must appear in the Expressions section as `name(`, each layer in the
 * Layers section (the table of what may stand in a sequential net) as `name` or `name(`,
 * and every row of that table must name a layer of builtins.def.
 */
#include "mlc.h"

#include "check.h"

/* The text between the heading `from` and the next "## " heading. */
static char *section(const char *doc, const char *from) {
    const char *start = strstr(doc, from);
    CHECK_TRUE(start != NULL);
    if (!start)
        return strdup("");
    start += strlen(from);
    const char *end = strstr(start, "\n## ");
    return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

int main(void) {
    FILE *f = fopen("../../docs/language.md", "rb");
    CHECK_TRUE(f != NULL);
    if (!f)
        return 1;
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    char *layers = section(doc, "## Layers"), *exprs = section(doc, "## Expressions");
    for (int i = 0; i < nbuiltins; i++) {
        const Builtin *b = &builtins[i];
        char call[64], word[64];
        snprintf(call, sizeof call, "`%s(", b->name);
        snprintf(word, sizeof word, "`%s`", b->name);
        bool in_exprs = strstr(exprs, call) != NULL;
        bool in_layers = strstr(layers, call) || strstr(layers, word);
        if (!in_exprs)
            fprintf(stderr, "docs/language.md: function %s is not in Expressions\n", b->name);
        if (b->layer && !in_layers)
            fprintf(stderr, "docs/language.md: layer %s is not in Layers\n", b->name);
        CHECK_TRUE(in_exprs);
        CHECK_TRUE(!b->layer || in_layers);
    }
    /* each row of the Layers table starts "| `name" */
    for (const char *p = strstr(layers, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
        char name[64] = {0};
        sscanf(p + 4, "%63[a-z_0-9]", name);
        const Builtin *b = builtin_find(name);
        if (!b || !b->layer)
            fprintf(stderr, "docs/language.md: the Layers table lists '%s', no layer\n", name);
        CHECK_TRUE(b && b->layer);
    }
    free(layers);
    free(exprs);
    return check_failures != 0;
}
