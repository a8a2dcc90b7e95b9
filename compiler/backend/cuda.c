/* backend/cuda.c: the CUDA target.
 *
 * Writes one .cu file that trains the model on an NVIDIA GPU, from the same kernel schedule
 * and the same descriptions (kernel.c) as the C target, and reads the same way: a struct of
 * named device pointers; for each kernel, its comment (the model lines and the math), a
 * __global__ function and the host function that launches it, which the passes call in
 * schedule order as the C target's passes call its functions; then the MlcModel with its
 * device (runtime/cuda/mlc_cuda.h) and main(), which hands it to the CPU trainer's runtime.
 *
 * The kernels:
 *   - a matrix product is mlc_gemm (cuBLAS, row-major by swapping the operands), followed
 *     by its elementwise epilogue as one kernel, in place; plain SGD folds into the weight
 *     gradient's product (alpha = -lr, beta = 1) as in the C target;
 *   - a fused elementwise group is one grid-stride kernel over its elements, the element
 *     printed from kernel.c's expression tree (c_form for operators); with a fused column
 *     sum (a bias gradient), a block per 32 columns whose warps sum every 8th row in
 *     double, combined in a fixed order (emit_column_sums);
 *   - softmax and its relatives are row kernels, one warp per row, with warp reductions;
 *     the losses and whole-tensor sums are one block, each warp summing its rows and the
 *     warps combined in order: deterministic, no atomics;
 *   - the parameters that no product updates are updated in one launch, and every other
 *     optimizer is one launch of the runtime's own per-element update;
 *   - image ops follow the C target: a convolution is per image its columns and one
 *     product, pools a thread per output value (or per channel plane where they add into
 *     the input), batch norm and the per-channel sums a block per channel, fused with
 *     what is around them as in the C target (emit_channel_body).
 * The runtime keeps the data sets on the device and gathers each batch there, so forward()
 * gets device pointers; the loss and the output cross back only when the runtime asks.
 *
 * The same source compiles for a GPU (nvcc) and for the emulation (a host C++ compiler
 * with MLC_CUDA_EMU, runtime/cuda/mlc_cuda_emu.h), which is how the kernels are tested on
 * machines without one.
 */
#include "mlc.h"

typedef struct Cu Cu;
struct Cu {
    FILE *out;
    Graph *g;
    Schedule *s;
    MemPlan *mp;
    const char *type; /* the state struct: "FashionState" */
    Cu *eval;         /* the evaluation forward pass, or NULL: it is the training one */
};

/* ---- small helpers (as the C target spells them) ----------------------------------------- */

static const char *const_expr(Cu *e, double value, int npow) {
    return c_const(e->g->cx->arena, value, npow);
}
static const char *count_expr(Cu *e, Count c) {
    return c_count(e->g->cx->arena, c);
}

static Buffer *buf(Cu *e, const Node *n) {
    Buffer *b = e->mp->buf_of[n->id];
    MLC_ASSERT(b);
    return b;
}

/* How a pass function names a buffer: inputs are locals, the rest live in the state. */
static const char *ref(Cu *e, Buffer *b) {
    if (b->kind == BUF_INPUT)
        return b->name;
    return arena_printf(e->g->cx->arena, "m->%s", b->name);
}

static void kernel_comment(Cu *e, Kernel *k) {
    c_kernel_comment(e->out, e->s, e->mp, k);
}

/* ---- elements ------------------------------------------------------------------------------ */

/* One element in CUDA C: the runtime's element functions are __host__ __device__. */
static CExpr cu_elem(Cu *e, const Elem *x) {
    static const CSpell spell = {"mlc", "expf", false};
    return c_elem(e->g->cx->arena, &spell, x);
}

/* ---- kernels --------------------------------------------------------------------------------
 * Each kernel k is a __global__ function k_<name> and a host function <name> with the C
 * target's parameters, which launches it (and, for a product, calls mlc_gemm first). */

/* The parameter list of a kernel: N, the seed, then its buffers (device pointers). No
 * __restrict__: nothing promises that a kernel's buffers never overlap. */
static PtrVec kernel_params(Cu *e, const KernelArgs *args) {
    Arena *a = e->g->cx->arena;
    PtrVec params = {0};
    if (args->uses_n)
        vec_push(a, &params, (void *)"int64_t N");
    if (args->uses_seed)
        vec_push(a, &params, (void *)"const uint64_t *dseed");
    for (int i = 0; i < args->bufs.len; i++) {
        Buffer *b = args->bufs.data[i];
        const char *type = b->node->dtype == DT_I32 ? "int32_t" : "float";
        bool w = kernel_arg_written(args, i);
        vec_push(a, &params, arena_printf(a, "%s%s *%s", w ? "" : "const ", type, b->name));
    }
    return params;
}

/* The arguments a host function passes on to its kernel: the same names. */
static PtrVec kernel_call_args(Cu *e, const KernelArgs *args) {
    Arena *a = e->g->cx->arena;
    PtrVec list = {0};
    if (args->uses_n)
        vec_push(a, &list, (void *)"N");
    if (args->uses_seed)
        vec_push(a, &list, (void *)"dseed");
    for (int i = 0; i < args->bufs.len; i++)
        vec_push(a, &list, (void *)((Buffer *)args->bufs.data[i])->name);
    return list;
}

/* "    MLC_LAUNCH(k_name, blocks, MLC_THREADS, args);" */
static void emit_launch(Cu *e, const char *name, const char *blocks, const KernelArgs *args) {
    Arena *a = e->g->cx->arena;
    PtrVec list = {0};
    vec_push(a, &list, arena_printf(a, "k_%s", name));
    vec_push(a, &list, (void *)blocks);
    vec_push(a, &list, (void *)"MLC_THREADS");
    PtrVec rest = kernel_call_args(e, args);
    for (int i = 0; i < rest.len; i++)
        vec_push(a, &list, rest.data[i]);
    print_list(e->out, "    MLC_LAUNCH(", &list, ");");
}

/* Column sums of a rows x inner matrix, parallel and in a fixed order: a block takes 32
 * columns at a time, lane l column j0 + l; its warps take every (warps)th row (warp w: rows
 * w, w + 8, ...), each lane summing in double; then the first warp adds the warps' sums in
 * order. `body` computes element k = i * inner + j into v (and may store it); the sums go
 * to out[j]. Launched with mlc_blocks(inner * 8): one block per 32 columns. */
static void emit_column_sums(Cu *e, const char *rows, long long inner, const char *body,
                             const char *out, const char **blocks) {
    FILE *o = e->out;
    fprintf(o, "    __shared__ double part[MLC_THREADS / 32][32];\n");
    fprintf(o, "    const unsigned lane = threadIdx.x %% 32, warp = threadIdx.x / 32;\n");
    fprintf(o,
            "    for (int64_t j0 = (int64_t)blockIdx.x * 32; j0 < %lld; j0 += (int64_t)gridDim.x "
            "* 32) {\n",
            inner);
    fprintf(o, "        const int64_t j = j0 + lane;\n");
    fprintf(o, "        double acc = 0.0;\n");
    fprintf(o, "        for (int64_t i = warp; j < %lld && i < %s; i += blockDim.x / 32) {\n",
            inner, rows);
    fprintf(o, "            const int64_t k = i * %lld + j;\n", inner);
    fprintf(o, "%s", body);
    fprintf(o, "            acc += (double)v;\n        }\n");
    fprintf(o, "        part[warp][lane] = acc;\n        __syncthreads();\n");
    fprintf(o, "        if (warp == 0 && j < %lld) {\n", inner);
    fprintf(o, "            double total = 0.0;\n");
    fprintf(o, "            for (unsigned q = 0; q < blockDim.x / 32; q++)\n");
    fprintf(o, "                total += part[q][lane];\n");
    fprintf(o, "            %s[j] = (float)total;\n        }\n", out);
    fprintf(o, "        __syncthreads(); /* part is the next columns' */\n    }\n");
    *blocks = arena_printf(e->g->cx->arena, "mlc_blocks(%lld * (MLC_THREADS / 32))", inner);
}

/* The body of an elementwise kernel (or a product's epilogue). Without a fused sum: a
 * grid-stride loop over the elements k, with j = k % inner where an operand is a row
 * broadcast along the loop's rows. With one (a bias gradient): the column sums of
 * emit_column_sums, each element stored as it is added. */
static void emit_elemwise_body(Cu *e, Kernel *k, const char **blocks) {
    FILE *o = e->out;
    ElemLoop l = kernel_loop(e->s, e->mp, k);
    const char *out = l.out->name;
    const char *expr = cu_elem(e, l.value).text;
    const char *first = "(int64_t)blockIdx.x * blockDim.x + threadIdx.x";
    if (!l.reduce) {
        fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
        fprintf(o, "    for (int64_t k = %s; k < %s; k += stride) {\n", first,
                count_expr(e, l.total));
        if (l.inner)
            fprintf(o, "        const int64_t j = k %% %lld;\n", (long long)l.inner);
        fprintf(o, "        %s[k] = %s;\n    }\n", out, expr);
        *blocks = arena_printf(e->g->cx->arena, "mlc_blocks(%s)", count_expr(e, l.total));
        return;
    }
    const char *body = arena_printf(
        e->g->cx->arena, "            const float v = %s;\n            %s[k] = v;\n", expr, out);
    emit_column_sums(e, count_expr(e, l.rows), (long long)l.inner, body, l.reduce->name, blocks);
}

/* The row kernels' head: warp `warp` of `warps` in the grid, lane `lane`; each warp takes
 * rows warp, warp + warps, ... (the loop is the same for the warp's 32 lanes, so its
 * shuffles meet). */
static void emit_warp_rows(Cu *e, const char *rows) {
    FILE *o = e->out;
    fprintf(o, "    const int64_t warps = (int64_t)gridDim.x * blockDim.x / 32;\n");
    fprintf(o, "    const unsigned lane = threadIdx.x %% 32;\n");
    fprintf(o, "    const int64_t warp = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32;\n");
    fprintf(o, "    for (int64_t i = warp; i < %s; i += warps) {\n", rows);
}

/* The row's largest value and sum of exp(x - max) (in double), in every lane: row, max and
 * sum. */
static void emit_row_max_sumexp(Cu *e, const char *xs, long long w) {
    FILE *o = e->out;
    fprintf(o, "        const float *row = %s + i * %lld;\n", xs, w);
    fprintf(o, "        float max = row[0];\n");
    fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
    fprintf(o, "            max = fmaxf(max, row[j]);\n");
    fprintf(o, "        max = mlc_warp_max(max);\n");
    fprintf(o, "        double sum = 0.0;\n");
    fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
    fprintf(o, "            sum += (double)expf(row[j] - max);\n");
    fprintf(o, "        sum = mlc_warp_sum(sum);\n");
}

/* ---- image ops ------------------------------------------------------------------------------
 * A convolution is an implicit product (emit_conv_body): per image and group, the weights
 * times the input's columns, each column element computed from the input where the product
 * reads it, so the columns are never stored and one launch does every image. The pools run a
 * thread per output value, or per channel plane where values are summed into the input's
 * places; batch norm and the per-channel sums a block per channel (emit_channel_body). */

enum {
    TILE = 64 /* the rows and columns of mlc_tile_gemm's tile (MLC_TILE) */
};

static bool is_conv(OpKind op) {
    return op == OP_CONV2D || op == OP_CONV2D_BWD_X || op == OP_CONV2D_BWD_W;
}

/* The parts of the batch whose weight gradients a convolution's backward computes apart (more
 * blocks at once) before adding them in order: as many as 4M floats of sums allow, at most
 * 16 (at batch 64, four images a part). 1: no parts, the gradient is written at once. */
static int64_t conv_parts(int64_t weights) {
    int64_t parts = ((int64_t)4 << 20) / weights;
    return parts < 1 ? 1 : parts > 16 ? 16 : parts;
}

/* The working memory of a kernel (Target.scratch): the weight gradient's parts. */
static int64_t cuda_scratch(const Node *n) {
    if (n->op != OP_CONV2D_BWD_W)
        return 0;
    int64_t weights = shape_numel_const(n->shape), parts = conv_parts(weights);
    return parts > 1 ? parts * weights : 0;
}

/* "const MlcWindow win = {...};" for a window over `channels` channels. */
static void emit_window(Cu *e, const OpDesc *d, int64_t channels) {
    const Window *w = &d->win;
    fprintf(e->out,
            "    const MlcWindow win = {%lld, %lld, %lld, %lld, %lld, %lld, %lld, %lld, %lld, "
            "%lld, %lld, %lld, %lld};\n",
            (long long)channels, (long long)d->h, (long long)d->w, (long long)w->k[0],
            (long long)w->k[1], (long long)w->stride[0], (long long)w->stride[1],
            (long long)w->pad[0], (long long)w->pad[1], (long long)w->dil[0], (long long)w->dil[1],
            (long long)d->oh, (long long)d->ow);
}

/* Channel x of the group: "(grp * per + x)" where there are groups, else x. */
static const char *in_group(Cu *e, const OpDesc *d, long long per, const char *x) {
    if (d->win.groups == 1)
        return x;
    return arena_printf(e->g->cx->arena, "(grp * %lld + %s)", per, x);
}

/* Where image `image`'s group of `per` of its `channels` planes of `plane` values starts. */
static const char *group_planes(Cu *e, const OpDesc *d, const char *image, long long channels,
                                long long per, long long plane) {
    Arena *a = e->g->cx->arena;
    if (d->win.groups == 1)
        return arena_printf(a, "%s * %lld", image, channels * plane);
    return arena_printf(a, "(%s * %lld + grp * %lld) * %lld", image, channels, per, plane);
}

/* "x * stride - pad + i * dil" without its terms of 1 and 0: the input position that output
 * position x sees at offset i of the window. */
static const char *window_pos(Cu *e, const char *x, long long stride, long long pad, const char *i,
                              long long dil) {
    Arena *a = e->g->cx->arena;
    const char *s = stride == 1 ? x : arena_printf(a, "%s * %lld", x, stride);
    if (pad)
        s = arena_printf(a, "%s - %lld", s, pad);
    return arena_printf(a, "%s + %s", s, dil == 1 ? i : arena_printf(a, "%s * %lld", i, dil));
}

/* "y + pad - i * dil" without its terms of 0 and 1: stride times the output position whose
 * window puts offset i on input position y. */
static const char *window_back(Cu *e, const char *y, long long pad, const char *i, long long dil) {
    Arena *a = e->g->cx->arena;
    const char *s = pad ? arena_printf(a, "%s + %lld", y, pad) : y;
    return arena_printf(a, "%s - %s", s, dil == 1 ? i : arena_printf(a, "%s * %lld", i, dil));
}

/* "q / s" where s > 1, else q; and "q % s == 0 && " where s > 1, else "". */
static const char *div_by(Cu *e, const char *q, long long s) {
    return s == 1 ? q : arena_printf(e->g->cx->arena, "%s / %lld", q, s);
}
static const char *divides(Cu *e, const char *q, long long s) {
    return s == 1 ? "" : arena_printf(e->g->cx->arena, "%s %% %lld == 0 && ", q, s);
}

/* The function giving the column element (r, p) of one image's group of channels, which start
 * at xg: input channel r / (kh kw) at the window offset (i, j) of row r, seen from output
 * position p (0 in the padding). As B of a product, its parameters are (r, p) for conv2d
 * (the columns); for the weight gradient (the columns transposed, `plane` computing xg from
 * k) they are (k, r), p = k % P. */
static void emit_column(Cu *e, const OpDesc *d, const char *k, const char *plane) {
    const Window *w = &d->win;
    long long kh = w->k[0], kw = w->k[1], ow = d->ow, h = d->h, wd = d->w;
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    if (strcmp(k, "p"))
        fprintf(o, "            [&](int %s, int r) { /* the columns' element (r, p) */\n", k);
    else
        fprintf(o, "            [&](int r, int p) { /* the columns' element (r, p) */\n");
    if (plane)
        fprintf(o, "                %s\n", plane);
    if (strcmp(k, "p"))
        fprintf(o, "                const int p = %s %% %lld;\n", k, (long long)(d->oh * ow));
    fprintf(o, "                const int ch = r / %lld, i = r / %lld %% %lld, j = r %% %lld;\n",
            kh * kw, kw, kh, kw);
    fprintf(
        o, "                const int row = %s;\n",
        window_pos(e, arena_printf(a, "p / %lld", ow), w->stride[0], w->pad[0], "i", w->dil[0]));
    fprintf(
        o, "                const int col = %s;\n",
        window_pos(e, arena_printf(a, "p %% %lld", ow), w->stride[1], w->pad[1], "j", w->dil[1]));
    fprintf(o,
            "                return row >= 0 && row < %lld && col >= 0 && col < %lld ? "
            "xg[(ch * %lld + row) * %lld + col] : 0.0f;\n",
            h, wd, h, wd);
    fprintf(o, "            },\n");
}

/* "for each tile t of `count` images (or parts) ...": its image (or part), group and corner
 * (m0, n0), for a result of m x n per image (or part) and group. */
static void emit_tile_loop(Cu *e, const OpDesc *d, const char *count, const char *unit, int64_t m,
                           int64_t n) {
    FILE *o = e->out;
    int64_t groups = d->win.groups;
    long long tn = (n + TILE - 1) / TILE, per_group = ((m + TILE - 1) / TILE) * tn;
    long long per = groups * per_group;
    fprintf(o, "    for (int64_t t = blockIdx.x; t < %s * %lld; t += gridDim.x) {\n", count, per);
    fprintf(o, "        const int64_t %s = t / %lld;\n", unit, per);
    if (groups > 1)
        fprintf(o, "        const int64_t grp = t %% %lld / %lld;\n", per, per_group);
    if (per_group == tn) /* one tile of rows */
        fprintf(o, "        const int m0 = 0, n0 = (int)(t %% %lld * %d);\n", tn, TILE);
    else
        fprintf(
            o, "        const int m0 = (int)(t %% %lld / %lld * %d), n0 = (int)(t %% %lld * %d);\n",
            per_group, tn, TILE, tn, TILE);
}

/* The blocks of a convolution kernel: one per tile, at most MLC_MAX_BLOCKS. */
static const char *conv_blocks(Cu *e, const char *count, int64_t groups, int64_t m, int64_t n) {
    return arena_printf(e->g->cx->arena, "mlc_grid(%s * %lld)", count,
                        (long long)(groups * ((m + TILE - 1) / TILE) * ((n + TILE - 1) / TILE)));
}

/* A convolution's kernel, as products of mlc_tile_gemm (runtime/cuda/mlc_cuda.h); *blocks
 * what to launch it with. With cg = C / groups input and og = OC / groups output channels
 * per group, R = cg kh kw rows of columns and P = OH OW output positions:
 *   conv2d:  y[n, g] = w[g] (og x R) cols(x[n, g]) (R x P) + bias, per image and group;
 *   its dx:  dx[n, g] = w[g]^T dy[n, g] folded back onto the image, as one product of
 *            cg x (og kh kw) by (og kh kw) x (H W): dy's element at the output position
 *            whose window puts offset (i, j) on the input position (0 where none does);
 *   its dw:  dw[g] = the sum over the images of dy[n, g] (og x P) cols(x[n, g])^T (P x R):
 *            the images in parts (part, part + parts, ...), each part one product whose k
 *            runs over its images' positions, the parts then added in order. */
static void emit_conv_body(Cu *e, const OpDesc *d, const char **blocks) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    const Window *w = &d->win;
    int64_t g = w->groups;
    long long cg = (long long)(d->c / g), og = (long long)(d->oc / g);
    long long kk = (long long)(w->k[0] * w->k[1]), rows = cg * kk;
    long long hw = (long long)(d->h * d->w), p = (long long)(d->oh * d->ow);
    long long c = (long long)d->c, oc = (long long)d->oc;
    const char *of = g > 1 ? ", per group" : "";
    switch (d->op) {
    case OP_CONV2D:
        fprintf(
            o, "    /* per image%s: y (%lld x %lld) = w (%lld x %lld) cols(x) (%lld x %lld)%s */\n",
            of, og, p, og, rows, rows, p, d->in[2] ? " + bias" : "");
        emit_tile_loop(e, d, "N", "image", og, p);
        fprintf(o, "        const float *xg = %s + %s;\n", d->in[0]->name,
                group_planes(e, d, "image", c, cg, hw));
        fprintf(o, "        mlc_tile_gemm(\n            %lld, %lld, %lld, m0, n0,\n", og, p, rows);
        fprintf(o, "            [&](int m, int r) { return %s[%s * %lld + r]; },\n", d->in[1]->name,
                in_group(e, d, og, "m"), rows);
        emit_column(e, d, "p", NULL);
        fprintf(o, "            [&](int m, int p, float v) {\n");
        fprintf(o, "                %s[(image * %lld + %s) * %lld + p] = v%s;\n", d->out->name, oc,
                in_group(e, d, og, "m"), p,
                d->in[2] ? arena_printf(a, " + %s[%s]", d->in[2]->name, in_group(e, d, og, "m"))
                         : "");
        fprintf(o, "            });\n    }\n");
        *blocks = conv_blocks(e, "N", g, og, p);
        return;
    case OP_CONV2D_BWD_X: {
        const char *at = window_back(e, arena_printf(a, "hw / %lld", (long long)d->w), w->pad[0],
                                     "i", w->dil[0]);
        const char *bt = window_back(e, arena_printf(a, "hw %% %lld", (long long)d->w), w->pad[1],
                                     "j", w->dil[1]);
        long long sh = w->stride[0], sw = w->stride[1];
        fprintf(o,
                "    /* per image%s: dx (%lld x %lld) = w^T (%lld x %lld) dy (%lld x %lld), each "
                "dy\n     * read at the output position that sees the input position */\n",
                of, cg, hw, cg, og * kk, og * kk, hw);
        emit_tile_loop(e, d, "N", "image", cg, hw);
        fprintf(o, "        const float *dyg = %s + %s;\n", d->in[0]->name,
                group_planes(e, d, "image", oc, og, p));
        fprintf(o, "        mlc_tile_gemm(\n            %lld, %lld, %lld, m0, n0,\n", cg, hw,
                og * kk);
        fprintf(
            o,
            "            [&](int m, int k) { return %s[(%s * %lld + m) * %lld + k %% %lld]; },\n",
            d->in[1]->name, in_group(e, d, og, arena_printf(a, "k / %lld", kk)), cg, kk, kk);
        fprintf(
            o,
            "            [&](int k, int hw) { /* dy where offset (i, j) of its window is hw */\n");
        fprintf(o, "                const int o = k / %lld, i = k / %lld %% %lld, j = k %% %lld;\n",
                kk, (long long)w->k[1], (long long)w->k[0], (long long)w->k[1]);
        fprintf(o, "                const int at = %s%s;\n", at, sh > 1 ? " /* = p stride */" : "");
        fprintf(o, "                const int bt = %s%s;\n", bt, sw > 1 ? " /* = q stride */" : "");
        fprintf(o, "                return at >= 0 && %s%s < %lld && bt >= 0 && %s%s < %lld\n",
                divides(e, "at", sh), div_by(e, "at", sh), (long long)d->oh, divides(e, "bt", sw),
                div_by(e, "bt", sw), (long long)d->ow);
        fprintf(o, "                           ? dyg[(o * %lld + %s) * %lld + %s]\n",
                (long long)d->oh, div_by(e, "at", sh), (long long)d->ow, div_by(e, "bt", sw));
        fprintf(o, "                           : 0.0f;\n            },\n");
        fprintf(o, "            [&](int m, int hw, float v) {\n");
        fprintf(o, "                %s[(image * %lld + %s) * %lld + hw] = v;\n", d->out->name, c,
                in_group(e, d, cg, "m"), hw);
        fprintf(o, "            });\n    }\n");
        *blocks = conv_blocks(e, "N", g, cg, hw);
        return;
    }
    case OP_CONV2D_BWD_W: {
        long long weights = oc * rows, parts = conv_parts(weights);
        const char *count = arena_printf(a, "%lld", parts);
        const char *image = arena_printf(a, "part + %lld * (k / %lld)", parts, p);
        fprintf(o,
                "    /* per part of the batch%s: dw (%lld x %lld) = the sum over its images of "
                "dy (%lld x %lld)\n     * cols(x)^T (%lld x %lld)%s */\n",
                of, og, rows, og, p, p, rows, parts > 1 ? "; then the parts added" : "");
        if (parts > 1)
            fprintf(o, "    (void)%s; /* the parts' sum, written by mlc_cuda_sum_parts */\n",
                    d->out->name);
        emit_tile_loop(e, d, count, "part", og, rows);
        fprintf(o,
                "        const int64_t images = (N - part + %lld) / %lld; /* part, part + %lld, "
                "... */\n",
                parts - 1, parts, parts);
        fprintf(o,
                "        mlc_tile_gemm(\n            %lld, %lld, (int)(images * %lld), m0, n0,\n",
                og, rows, p);
        fprintf(o, "            [&](int m, int k) {\n");
        fprintf(o, "                const int64_t image = %s;\n", image);
        fprintf(o, "                return %s[(image * %lld + %s) * %lld + k %% %lld];\n",
                d->in[0]->name, oc, in_group(e, d, og, "m"), p, p);
        fprintf(o, "            },\n");
        emit_column(e, d, "k",
                    arena_printf(a, "const float *xg = %s + %s;", d->in[1]->name,
                                 group_planes(e, d, arena_printf(a, "(%s)", image), c, cg, hw)));
        fprintf(o, "            [&](int m, int r, float v) {\n");
        if (parts > 1)
            fprintf(o, "                %s[part * %lld + %s * %lld + r] = v;\n", d->scratch->name,
                    weights, in_group(e, d, og, "m"), rows);
        else
            fprintf(o, "                %s[%s * %lld + r] = v;\n", d->out->name,
                    in_group(e, d, og, "m"), rows);
        fprintf(o, "            });\n    }\n");
        *blocks = conv_blocks(e, count, g, og, rows);
        return;
    }
    default: unreachable();
    }
}

/* ---- batch norm and the per-channel sums --------------------------------------------------------
 * A block per channel (ch): its threads take the channel's elements in turn (element e of
 * the channel's N x spatial is x[k]), each summing in double, and mlc_block_sum adds the
 * threads' sums in a fixed order; thread 0 puts what the others need in `stat`. The
 * statistics are the C target's: the mean, then the sum of squared deviations from it. As in
 * the C target (fuse.c), a batch norm may carry its epilogue (value: the element stored, of
 * v, the normalised one), the running statistics' mean and var of x, and in the backward
 * pass the chain that makes dy (dy: computed where it is read), gamma's and beta's gradients
 * and the sum of dx (a convolution's bias gradient). */

/* "for each element k of channel ch that this thread takes {" */
static void emit_channel_loop(Cu *e, const OpDesc *d) {
    long long c = (long long)d->c, sp = (long long)d->spatial;
    fprintf(e->out, "        for (int64_t e = threadIdx.x; e < N * %lld; e += blockDim.x) {\n", sp);
    fprintf(e->out, "            const int64_t k = (e / %lld * %lld + ch) * %lld + e %% %lld;\n",
            sp, c, sp, sp);
}

/* stat[0] = the mean of channel ch of x, stat[1] = sqrt(var + eps), each thread's `mean`
 * and `invstd` from them; and the running statistics' mean and var where fused. */
static void emit_channel_stats(Cu *e, const OpDesc *d, const char *x) {
    FILE *o = e->out;
    fprintf(o, "        double sum = 0.0;\n");
    emit_channel_loop(e, d);
    fprintf(o, "            sum += (double)%s[k];\n        }\n", x);
    fprintf(o, "        sum = mlc_block_sum(sum);\n");
    fprintf(o, "        if (threadIdx.x == 0)\n            stat[0] = sum / count;\n");
    fprintf(o, "        __syncthreads();\n");
    fprintf(o, "        const double mean = stat[0];\n");
    fprintf(o, "        double ss = 0.0;\n");
    emit_channel_loop(e, d);
    fprintf(o, "            ss += ((double)%s[k] - mean) * ((double)%s[k] - mean);\n        }\n", x,
            x);
    fprintf(o, "        ss = mlc_block_sum(ss);\n");
    fprintf(o, "        if (threadIdx.x == 0) {\n");
    fprintf(o, "            stat[1] = sqrt(ss / count + %.9g);\n", d->eps);
    if (d->mean)
        fprintf(o, "            %s[ch] = (float)mean;\n", d->mean->name);
    if (d->var) /* unbiased, as OP_CHANNEL_VAR */
        fprintf(o, "            %s[ch] = (float)(count > 1.0 ? ss / (count - 1.0) : 0.0);\n",
                d->var->name);
    fprintf(o, "        }\n        __syncthreads();\n");
    fprintf(o, "        const double invstd = 1.0 / stat[1];\n");
}

/* Batch norm (training, evaluation, backward, gamma's gradient) and channel_sum, _mean and
 * _var: a block per channel, but batch norm in evaluation a thread per element. */
static void emit_channel_body(Cu *e, const OpDesc *d, const char **blocks) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    long long c = (long long)d->c, sp = (long long)d->spatial;
    const char *value = d->value ? cu_elem(e, d->value).text : "v";
    if (d->op == OP_BATCHNORM_EVAL) { /* a thread per element, with the running statistics */
        const char *x = d->in[0]->name, *gamma = d->in[1]->name, *beta = d->in[2]->name;
        fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
        fprintf(o,
                "    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; "
                "k < N * %lld; k += stride) {\n",
                c * sp);
        fprintf(o, "        const int64_t ch = k / %lld %% %lld;\n", sp, c);
        fprintf(o, "        const float invstd = (float)(1.0 / sqrt((double)%s[ch] + %.9g));\n",
                d->in[4]->name, d->eps);
        fprintf(o, "        const float v = (%s[k] - %s[ch]) * invstd * %s[ch] + %s[ch];\n", x,
                d->in[3]->name, gamma, beta);
        fprintf(o, "        %s[k] = %s;\n    }\n", d->out->name, value);
        *blocks = arena_printf(a, "mlc_blocks(N * %lld)", c * sp);
        return;
    }
    bool fwd = d->op == OP_BATCHNORM;
    bool bwd = d->op == OP_BATCHNORM_BWD || d->op == OP_BN_DGAMMA;
    const char *x = d->in[bwd ? 1 : 0]->name;
    bool sum = d->op == OP_CHANNEL_SUM || d->op == OP_CHANNEL_MEAN;
    if (!sum)
        fprintf(
            o,
            "    __shared__ double stat[4]; /* mean, sqrt(var + eps), sum(dy), sum(dy xhat) */\n");
    if (d->op != OP_CHANNEL_SUM)
        fprintf(o, "    const double count = (double)(N * %lld);\n", sp);
    fprintf(o, "    for (int64_t ch = blockIdx.x; ch < %lld; ch += gridDim.x) {\n", c);
    if (sum) {
        fprintf(o, "        double sum = 0.0;\n");
        emit_channel_loop(e, d);
        fprintf(o, "            sum += (double)%s[k];\n        }\n", x);
        fprintf(o, "        sum = mlc_block_sum(sum);\n");
        fprintf(o, "        if (threadIdx.x == 0)\n            %s[ch] = (float)%s;\n", d->out->name,
                d->op == OP_CHANNEL_MEAN ? "(sum / count)" : "sum");
    } else if (d->op == OP_CHANNEL_VAR) { /* unbiased, as batch norm's running variance */
        OpDesc var = *d;
        var.var = d->out;
        emit_channel_stats(e, &var, x);
        fprintf(o, "        (void)invstd;\n");
    } else {
        emit_channel_stats(e, d, x);
    }
    if (fwd) {
        fprintf(o, "        const float m = (float)mean;\n");
        fprintf(o, "        const float scale = (float)((double)%s[ch] * invstd);\n",
                d->in[1]->name);
        emit_channel_loop(e, d);
        fprintf(o, "            const float v = (%s[k] - m) * scale + %s[ch];\n", x,
                d->in[2]->name);
        fprintf(o, "            %s[k] = %s;\n        }\n", d->out->name, value);
    } else if (bwd) {
        const char *dy = d->dy ? cu_elem(e, d->dy).text : arena_printf(a, "%s[k]", d->in[0]->name);
        const char *dgamma = d->op == OP_BN_DGAMMA ? d->out->name
                             : d->dgamma           ? d->dgamma->name
                                                   : NULL;
        fprintf(o, "        double sum_dy = 0.0, sum_dy_x = 0.0;\n");
        emit_channel_loop(e, d);
        fprintf(o, "            const float dy_k = %s;\n", dy);
        fprintf(o, "            sum_dy += (double)dy_k;\n");
        fprintf(o, "            sum_dy_x += (double)dy_k * (double)%s[k];\n        }\n", x);
        fprintf(o, "        sum_dy = mlc_block_sum(sum_dy);\n");
        fprintf(o, "        sum_dy_x = mlc_block_sum(sum_dy_x);\n");
        fprintf(o, "        if (threadIdx.x == 0) {\n");
        fprintf(o, "            stat[2] = sum_dy;\n");
        fprintf(o,
                "            stat[3] = (sum_dy_x - mean * sum_dy) * invstd; /* sum(dy xhat) */\n");
        if (dgamma)
            fprintf(o, "            %s[ch] = (float)stat[3];\n", dgamma);
        if (d->dbeta)
            fprintf(o, "            %s[ch] = (float)stat[2];\n", d->dbeta->name);
        fprintf(o, "        }\n        __syncthreads();\n");
        if (d->op == OP_BATCHNORM_BWD) {
            const char *dx = d->out->name;
            fprintf(o, "        const float m = (float)mean, is = (float)invstd;\n");
            fprintf(o, "        const float scale = (float)((double)%s[ch] * invstd);\n",
                    d->in[2]->name);
            fprintf(o, "        const float a = (float)(stat[2] / count), b = (float)(stat[3] / "
                       "count);\n");
            if (d->dxsum)
                fprintf(o, "        double sum_dx = 0.0;\n");
            emit_channel_loop(e, d);
            fprintf(o, "            const float dy_k = %s;\n", dy);
            fprintf(o, "            %s[k] = scale * (dy_k - a - (%s[k] - m) * is * b);\n", dx, x);
            if (d->dxsum)
                fprintf(o, "            sum_dx += (double)%s[k];\n", dx);
            fprintf(o, "        }\n");
            if (d->dxsum) {
                fprintf(o, "        sum_dx = mlc_block_sum(sum_dx);\n");
                fprintf(o, "        if (threadIdx.x == 0)\n            %s[ch] = (float)sum_dx;\n",
                        d->dxsum->name);
            }
        }
    }
    if (!sum)
        fprintf(o, "        __syncthreads(); /* stat is the next channel's */\n");
    fprintf(o, "    }\n");
    *blocks = arena_printf(a, "%lld", c < 65535 ? c : 65535);
}

/* The body of a pooling, per-channel or batch norm kernel; *blocks what to launch it with. */
static void emit_image_body(Cu *e, const OpDesc *d, const char **blocks) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    const char *y = d->out->name;
    long long c = (long long)d->c;
    long long hw = (long long)(d->h * d->w), ohw = (long long)(d->oh * d->ow);
    const char *first = "(int64_t)blockIdx.x * blockDim.x + threadIdx.x";
    if (op_has_eps(d->op) || d->op == OP_CHANNEL_SUM || d->op == OP_CHANNEL_MEAN ||
        d->op == OP_CHANNEL_VAR) {
        emit_channel_body(e, d, blocks);
        return;
    }
    if (is_conv(d->op)) {
        emit_conv_body(e, d, blocks);
        return;
    }
    fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
    switch (d->op) {
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D: /* a thread per output value */
        emit_window(e, d, d->c);
        fprintf(o, "    for (int64_t e = %s; e < N * %lld; e += stride) {\n", first, c * ohw);
        fprintf(o, "        const float *plane = %s + e / %lld * %lld;\n", d->in[0]->name, ohw, hw);
        fprintf(o, "        const int64_t p = e %% %lld / %lld, q = e %% %lld;\n", ohw,
                (long long)d->ow, (long long)d->ow);
        if (d->op == OP_MAXPOOL2D) {
            fprintf(o, "        const int64_t at = mlc_maxpool_argmax(plane, &win, p, q);\n");
            fprintf(o, "        %s[e] = at < 0 ? -INFINITY : plane[at];\n    }\n", y);
        } else {
            fprintf(o, "        double sum = 0.0;\n");
            fprintf(o, "        for (int64_t i = 0; i < win.kh; i++) {\n");
            fprintf(o,
                    "            const int64_t r = mlc_window_at(p, i, win.sh, win.ph, win.dh);\n");
            fprintf(o,
                    "            for (int64_t j = 0; r >= 0 && r < win.h && j < win.kw; j++) {\n");
            fprintf(o, "                const int64_t s = mlc_window_at(q, j, win.sw, win.pw, "
                       "win.dw);\n");
            fprintf(o, "                if (s >= 0 && s < win.w)\n");
            fprintf(o, "                    sum += (double)plane[r * win.w + s];\n");
            fprintf(o, "            }\n        }\n");
            fprintf(o, "        %s[e] = (float)sum * (1.0f / (float)(win.kh * win.kw));\n    }\n",
                    y);
        }
        *blocks = arena_printf(a, "mlc_blocks(N * %lld)", c * ohw);
        return;
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD: { /* a thread per channel plane, as the C target's loop */
        bool fwd = d->op == OP_ADAPTIVE_AVGPOOL2D;
        long long in = fwd ? hw : ohw, out = fwd ? ohw : hw;
        fprintf(o, "    for (int64_t pl = %s; pl < N * %lld; pl += stride)\n", first, c);
        fprintf(o,
                "        mlc_adaptive_avgpool_plane%s(%s + pl * %lld, %lld, %lld, %lld, %lld, "
                "%s + pl * %lld);\n",
                fwd ? "" : "_bwd", d->in[0]->name, in, (long long)d->h, (long long)d->w,
                (long long)d->oh, (long long)d->ow, y, out);
        *blocks = arena_printf(a, "mlc_blocks(N * %lld)", c);
        return;
    }
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D_BWD: /* a thread per channel plane, which it sums into */
        emit_window(e, d, d->c);
        fprintf(o, "    for (int64_t pl = %s; pl < N * %lld; pl += stride) {\n", first, c);
        fprintf(o, "        float *dx = %s + pl * %lld;\n", y, hw);
        fprintf(o, "        for (int64_t k = 0; k < %lld; k++)\n            dx[k] = 0.0f;\n", hw);
        fprintf(o, "        for (int64_t p = 0; p < win.oh; p++)\n");
        fprintf(o, "            for (int64_t q = 0; q < win.ow; q++) {\n");
        fprintf(o, "                const float d = %s[(pl * win.oh + p) * win.ow + q];\n",
                d->in[0]->name);
        if (d->op == OP_MAXPOOL2D_BWD) {
            fprintf(o,
                    "                const int64_t at = mlc_maxpool_argmax(%s + pl * %lld, "
                    "&win, p, q);\n",
                    d->in[1]->name, hw);
            fprintf(o, "                if (at >= 0)\n                    dx[at] += d;\n");
        } else {
            fprintf(o, "                const float share = d * (1.0f / (float)(win.kh * "
                       "win.kw));\n");
            fprintf(o, "                for (int64_t i = 0; i < win.kh; i++) {\n");
            fprintf(o, "                    const int64_t r = mlc_window_at(p, i, win.sh, win.ph, "
                       "win.dh);\n");
            fprintf(o, "                    for (int64_t j = 0; r >= 0 && r < win.h && j < win.kw;"
                       " j++) {\n");
            fprintf(o, "                        const int64_t s = mlc_window_at(q, j, win.sw, "
                       "win.pw, win.dw);\n");
            fprintf(o, "                        if (s >= 0 && s < win.w)\n");
            fprintf(o, "                            dx[r * win.w + s] += share;\n");
            fprintf(o, "                    }\n                }\n");
        }
        fprintf(o, "            }\n    }\n");
        *blocks = arena_printf(a, "mlc_blocks(N * %lld)", c);
        return;
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_BATCHNORM_EVAL:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA: break; /* emit_channel_body */
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_NEG:
    case OP_RELU:
    case OP_STEP:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_EXPAND:
    case OP_DROPOUT:
    case OP_MATMUL:
    case OP_RESHAPE:
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_STATE:
    case OP_SUM:
    case OP_MEAN:
    case OP_SUM_TO:
    case OP_SOFTMAX:
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_BCE_LOGITS:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
    case OP_CONV2D:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_BETWEEN:
    case OP_BROADCAST:
    case OP_CLAMP:
    case OP_CONCAT:
    case OP_GELU_TANH:
    case OP_GELU_TANH_GRAD:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
    case OP_PAD:
    case OP_PERMUTE:
    case OP_POW:
    case OP_SLICE:
    case OP_SUM_AXIS:
    case OP_COUNT: break; /* convolutions: emit_conv_body() */
    }
    unreachable();
}

/* A layout op: each copy a grid-stride loop over the elements of its box (the copies write
 * apart, so they need no barrier); a pad's zeros come first, from mlc_cuda_zero in the host
 * function (emit_kernel). */
static void emit_layout_body(Cu *e, Kernel *k, const char **blocks) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    LayoutDesc d = kernel_layout(e->mp, k);
    fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
    for (int i = 0; i < d.ncopies; i++) {
        const char *count = c_copy_count(a, &d.copy[i], "N");
        fprintf(o,
                "    for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < %s; "
                "t += stride) {\n",
                count);
        c_copy_element(o, a, &d.copy[i], d.out->name, "N", "        ");
        fprintf(o, "    }\n");
    }
    *blocks = arena_printf(a, "mlc_blocks(%s)", count_expr(e, d.total)); /* no copy is larger */
}

/* An op along one axis: a thread per element (i, j) of its [outer, inner] result, each
 * running the C target's loop along the axis. */
static void emit_axis_body(Cu *e, Kernel *k, const char **blocks) {
    FILE *o = e->out;
    AxisDesc d = kernel_axis(e->mp, k);
    const char *total = count_expr(e, (Count){d.outer.c * d.inner, d.outer.n});
    fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
    fprintf(o,
            "    for (int64_t t = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t < %s; "
            "t += stride) {\n",
            total);
    fprintf(o, "        const int64_t i = t / %lld, j = t %% %lld;\n", (long long)d.inner,
            (long long)d.inner);
    c_axis_element(o, &d, "        ");
    fprintf(o, "    }\n");
    *blocks = arena_printf(e->g->cx->arena, "mlc_blocks(%s)", total);
}

/* Row-wise, reduce and loss ops: the kernel's body; *blocks is what to launch it with. */
static void emit_op_body(Cu *e, Kernel *k, const char **blocks) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    if (op_info[k->op->op].cls == OPC_LAYOUT) {
        emit_layout_body(e, k, blocks);
        return;
    }
    if (op_info[k->op->op].cls == OPC_AXIS) {
        emit_axis_body(e, k, blocks);
        return;
    }
    OpDesc d = kernel_op(e->s, e->mp, k);
    *blocks = "1";
    if (op_info[d.op].cls == OPC_IMAGE) {
        emit_image_body(e, &d, blocks);
        return;
    }
    const char *y = d.out->name, *xs = d.x->name;
    const char *rows = count_expr(e, d.rows), *total = count_expr(e, d.total);
    long long w = (long long)d.width;
    const char *row_blocks = arena_printf(a, "mlc_blocks((%s) * 32)", rows);
    switch (d.op) {
    case OP_SUM:
    case OP_MEAN: /* one block: each thread's share in double, then mlc_block_sum */
        fprintf(o, "    double part = 0.0;\n");
        fprintf(o, "    for (int64_t k = threadIdx.x; k < %s; k += blockDim.x)\n", total);
        fprintf(o, "        part += (double)%s[k];\n", xs);
        fprintf(o, "    const double total = mlc_block_sum(part);\n");
        fprintf(o, "    if (threadIdx.x == 0)\n");
        if (d.op == OP_SUM)
            fprintf(o, "        %s[0] = (float)total;\n", y);
        else
            fprintf(o, "        %s[0] = (float)(total / (double)(%s));\n", y, total);
        return;
    case OP_SUM_TO:
        emit_column_sums(e, rows, w, arena_printf(a, "            const float v = %s[k];\n", xs), y,
                         blocks);
        return;
    case OP_SOFTMAX:
        emit_warp_rows(e, rows);
        emit_row_max_sumexp(e, xs, w);
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            %s[i * %lld + j] = expf(row[j] - max) / (float)sum;\n    }\n", y,
                w);
        *blocks = row_blocks;
        return;
    case OP_SOFTMAX_BWD:
        emit_warp_rows(e, rows);
        fprintf(o, "        const float *yr = %s + i * %lld, *dyr = %s + i * %lld;\n", xs, w,
                d.y->name, w);
        fprintf(o, "        double dot = 0.0;\n");
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            dot += (double)(dyr[j] * yr[j]);\n");
        fprintf(o, "        dot = mlc_warp_sum(dot);\n");
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            %s[i * %lld + j] = yr[j] * (dyr[j] - (float)dot);\n    }\n", y, w);
        *blocks = row_blocks;
        return;
    case OP_LOG_SOFTMAX:
        emit_warp_rows(e, rows);
        emit_row_max_sumexp(e, xs, w);
        fprintf(o, "        const float shift = max + (float)log(sum);\n");
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            %s[i * %lld + j] = row[j] - shift;\n    }\n", y, w);
        *blocks = row_blocks;
        return;
    case OP_LOG_SOFTMAX_BWD:
        emit_warp_rows(e, rows);
        fprintf(o, "        const float *yr = %s + i * %lld, *dyr = %s + i * %lld;\n", xs, w,
                d.y->name, w);
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            sum += (double)dyr[j];\n");
        fprintf(o, "        sum = mlc_warp_sum(sum);\n");
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            %s[i * %lld + j] = dyr[j] - expf(yr[j]) * (float)sum;\n    }\n", y,
                w);
        *blocks = row_blocks;
        return;
    case OP_CROSS_ENTROPY: /* one block: warp w sums rows w, w + 8, ...; then the warps */
        fprintf(o, "    const unsigned lane = threadIdx.x %% 32;\n");
        fprintf(o, "    double total = 0.0;\n");
        fprintf(o, "    for (int64_t i = threadIdx.x / 32; i < N; i += blockDim.x / 32) {\n");
        emit_row_max_sumexp(e, xs, w);
        fprintf(o, "        if (lane == 0)\n");
        fprintf(o, "            total += log(sum) + (double)(max - row[%s[i]]);\n    }\n",
                d.y->name);
        fprintf(o, "    total = mlc_block_sum(total);\n");
        fprintf(o, "    if (threadIdx.x == 0)\n");
        fprintf(o, "        %s[0] = (float)(total / (double)N);\n", y);
        return;
    case OP_CROSS_ENTROPY_BWD:
        emit_warp_rows(e, rows);
        emit_row_max_sumexp(e, xs, w);
        fprintf(o, "        const float scale = %s / (float)N;\n",
                operand(a, cu_elem(e, d.scale), 3));
        fprintf(o, "        for (int64_t j = lane; j < %lld; j += 32)\n", w);
        fprintf(o, "            %s[i * %lld + j] = expf(row[j] - max) / (float)sum * scale;\n", y,
                w);
        fprintf(o, "        __syncwarp(); /* the label's element is another lane's */\n");
        fprintf(o, "        if (lane == 0)\n");
        fprintf(o, "            %s[i * %lld + %s[i]] -= scale;\n", y, w, d.y->name);
        fprintf(o, "        __syncwarp();\n    }\n");
        *blocks = row_blocks;
        return;
    case OP_NLL:
        fprintf(o, "    double total = 0.0;\n");
        fprintf(o, "    for (int64_t i = threadIdx.x; i < N; i += blockDim.x)\n");
        fprintf(o, "        total -= (double)%s[i * %lld + %s[i]];\n", xs, w, d.y->name);
        fprintf(o, "    total = mlc_block_sum(total);\n");
        fprintf(o, "    if (threadIdx.x == 0)\n");
        fprintf(o, "        %s[0] = (float)(total / (double)N);\n", y);
        return;
    case OP_NLL_BWD: { /* inputs (labels, dL): -dL / N at each label, 0 elsewhere */
        const char *scale = operand(a, cu_elem(e, d.scale), 3);
        fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
        fprintf(o,
                "    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < N * %lld;"
                " k += stride)\n",
                w);
        fprintf(o, "        %s[k] = k %% %lld == %s[k / %lld] ? -%s / (float)N : 0.0f;\n", y, w, xs,
                w, scale);
        *blocks = arena_printf(a, "mlc_blocks(N * %lld)", w);
        return;
    }
    case OP_BCE_LOGITS:
        fprintf(o, "    double total = 0.0;\n");
        fprintf(o, "    for (int64_t k = threadIdx.x; k < %s; k += blockDim.x) {\n", total);
        fprintf(o, "        const float logit = %s[k];\n", xs);
        fprintf(o,
                "        total += (double)(fmaxf(logit, 0.0f) - logit * %s[k] + "
                "log1pf(expf(-fabsf(logit))));\n    }\n",
                d.y->name);
        fprintf(o, "    total = mlc_block_sum(total);\n");
        fprintf(o, "    if (threadIdx.x == 0)\n");
        fprintf(o, "        %s[0] = (float)(total / (double)(%s));\n", y, total);
        return;
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_NEG:
    case OP_RELU:
    case OP_STEP:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_EXPAND:
    case OP_DROPOUT:
    case OP_MATMUL:
    case OP_RESHAPE:
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_STATE:
    case OP_CONV2D: /* image ops: emit_image_body() */
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_MAXPOOL2D:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D:
    case OP_AVGPOOL2D_BWD:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_BATCHNORM_EVAL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_BETWEEN:
    case OP_BROADCAST:
    case OP_CLAMP:
    case OP_CONCAT:
    case OP_GELU_TANH:
    case OP_GELU_TANH_GRAD:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
    case OP_PAD:
    case OP_PERMUTE:
    case OP_POW:
    case OP_SLICE:
    case OP_SUM_AXIS:
    case OP_COUNT: break;
    }
    unreachable();
}

/* The first arguments of mlc_gemm and mlc_gemm_bias for a kernel's product: ta, tb, m, n, k,
 * alpha where it is given, then A, lda, B, ldb. */
static PtrVec gemm_args(Cu *e, Kernel *k, const char *alpha) {
    Arena *a = e->g->cx->arena;
    GemmDesc d = kernel_gemm(e->mp, k);
    const char *args[] = {d.ta ? "true" : "false", d.tb ? "true" : "false", count_expr(e, d.m),
                          count_expr(e, d.n), count_expr(e, d.k)};
    PtrVec list = {0};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        vec_push(a, &list, (void *)args[i]);
    if (alpha)
        vec_push(a, &list, (void *)alpha);
    vec_push(a, &list, (void *)d.a->name);
    vec_push(a, &list, arena_printf(a, "%lld", (long long)d.lda));
    vec_push(a, &list, (void *)d.b->name);
    vec_push(a, &list, arena_printf(a, "%lld", (long long)d.ldb));
    return list;
}

/* mlc_gemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc) for a kernel's product. */
static void emit_gemm_call(Cu *e, Kernel *k, const char *alpha, const char *beta, const char *c) {
    Arena *a = e->g->cx->arena;
    PtrVec list = gemm_args(e, k, alpha);
    vec_push(a, &list, (void *)beta);
    vec_push(a, &list, (void *)c);
    vec_push(a, &list, (void *)count_expr(e, kernel_gemm(e->mp, k).n));
    print_list(e->out, "    mlc_gemm(", &list, ");");
}

/* The bias of a product whose epilogue is its bias, and relu after it where *relu:
 *     C[i][j] = op(A) op(B) [i][j] + bias[j]   (then relu)
 * which cuBLASLt does inside the product (mlc_gemm_bias); NULL for any other epilogue. */
static Buffer *bias_epilogue(Cu *e, Kernel *k, bool *relu) {
    if (k->kind != K_GEMM || !k->nodes.len)
        return NULL;
    ElemLoop l = kernel_loop(e->s, e->mp, k);
    GemmDesc d = kernel_gemm(e->mp, k);
    if (l.reduce || d.n.n || l.inner != d.n.c || l.out != buf(e, k->root))
        return NULL;
    const Elem *v = l.value;
    *relu = v->kind == ELEM_OP && v->op == OP_RELU;
    if (*relu)
        v = v->arg[0];
    if (v->kind != ELEM_OP || v->op != OP_ADD)
        return NULL;
    for (int i = 0; i < 2; i++) {
        const Elem *c = v->arg[i], *bias = v->arg[1 - i];
        if (c->kind == ELEM_LOAD && c->buf == l.out && c->at == AT_K && bias->kind == ELEM_LOAD &&
            bias->at == AT_J && bias->buf != l.out)
            return bias->buf;
    }
    return NULL;
}

/* "if (mlc_gemm_bias(...)) return;": the product and its bias (and relu) in one cuBLASLt
 * call, where cuBLASLt can; else the host function goes on to mlc_gemm and the kernel. */
static void emit_gemm_bias_call(Cu *e, Kernel *k, Buffer *bias, bool relu) {
    Arena *a = e->g->cx->arena;
    PtrVec list = gemm_args(e, k, NULL);
    vec_push(a, &list, (void *)buf(e, k->root)->name);
    vec_push(a, &list, (void *)count_expr(e, kernel_gemm(e->mp, k).n));
    vec_push(a, &list, (void *)bias->name);
    vec_push(a, &list, (void *)(relu ? "true" : "false"));
    fprintf(e->out, "    /* cuBLASLt: the bias%s inside the product */\n", relu ? " and relu" : "");
    print_list(e->out, "    if (mlc_gemm_bias(", &list, "))");
    fprintf(e->out, "        return;\n");
}

/* Does C text name N (as a word)? */
static bool names_n(const char *text) {
    for (const char *p = text; (p = strchr(p, 'N')); p++) {
        bool before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool after = isalnum((unsigned char)p[1]) || p[1] == '_';
        if (!before && !after)
            return true;
    }
    return false;
}

/* Does the element read buffer b? */
static bool elem_reads(const Elem *x, const Buffer *b) {
    if (x->kind == ELEM_LOAD)
        return x->buf == b;
    for (int i = 0; x->kind == ELEM_OP && i < x->nargs; i++)
        if (elem_reads(x->arg[i], b))
            return true;
    return false;
}

/* The arguments of a product's epilogue kernel: those of the kernel that its loop reads or
 * writes (not the product's operands, which cuBLAS reads). */
static KernelArgs epilogue_args(Cu *e, Kernel *k, const KernelArgs *args) {
    Arena *a = e->g->cx->arena;
    ElemLoop l = kernel_loop(e->s, e->mp, k);
    KernelArgs out = *args;
    out.bufs = (PtrVec){0};
    out.written = (PtrVec){0};
    for (int i = 0; i < args->bufs.len; i++) {
        Buffer *b = args->bufs.data[i];
        if (b == l.out || b == l.reduce || elem_reads(l.value, b)) {
            vec_push(a, &out.bufs, b);
            vec_push(a, &out.written, args->written.data[i]);
        }
    }
    return out;
}

static void emit_kernel(Cu *e, Kernel *k) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    KernelArgs args = kernel_args(e->s, e->mp, k);
    const char *name = kernel_name(a, e->mp, k);
    KernelArgs kargs = k->kind == K_GEMM && k->nodes.len ? epilogue_args(e, k, &args) : args;
    PtrVec params = kernel_params(e, &kargs);
    bool has_kernel = k->kind != K_GEMM || k->nodes.len;
    const char *blocks = "1";
    kernel_comment(e, k);
    if (has_kernel) {
        print_list(o, arena_printf(a, "__global__ void k_%s(", name), &params, ") {");
        if (kargs.uses_seed)
            fprintf(o, "    const uint64_t seed = *dseed; /* this step's (mlc_cuda_seed) */\n");
        /* the body first, to see whether it names N (a column sum over a fixed number of
         * rows does not) */
        char *body = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&body, &len);
        MLC_ASSERT(mem);
        e->out = mem;
        if (k->kind == K_OP)
            emit_op_body(e, k, &blocks);
        else
            emit_elemwise_body(e, k, &blocks);
        fclose(mem);
        e->out = o;
        if (kargs.uses_n && !names_n(body))
            fprintf(o, "    (void)N;\n");
        fprintf(o, "%s}\n\n", body);
        free(body);
    }
    /* the host function the passes call */
    PtrVec host = kernel_params(e, &args);
    print_list(o, arena_printf(a, "static void %s(", name), &host, ") {");
    bool relu = false;
    Buffer *bias = bias_epilogue(e, k, &relu);
    if (bias)
        emit_gemm_bias_call(e, k, bias, relu);
    if (k->kind == K_GEMM)
        emit_gemm_call(e, k, "1.0f", "0.0f", buf(e, k->root)->name);
    if (k->kind == K_OP && op_info[k->op->op].cls == OPC_LAYOUT) {
        LayoutDesc d = kernel_layout(e->mp, k);
        if (d.zero) /* a pad: zeros, then the copy (emit_layout_body) */
            fprintf(o, "    mlc_cuda_zero(%s, %s);\n", d.out->name, count_expr(e, d.total));
    }
    if (has_kernel)
        emit_launch(e, name, blocks, &kargs);
    if (k->kind == K_OP && k->op->op == OP_CONV2D_BWD_W) {
        OpDesc d = kernel_op(e->s, e->mp, k);
        int64_t weights = shape_numel_const(k->op->shape);
        if (conv_parts(weights) > 1) /* the parts of the weight gradient, added in order */
            fprintf(o, "    mlc_cuda_sum_parts(%s, %lld, %lld, %s);\n", d.scratch->name,
                    (long long)conv_parts(weights), (long long)weights, d.out->name);
    }
    fprintf(o, "}\n\n");
    if (!k->sgd_param)
        return;
    const char *w = buf(e, k->sgd_param)->name;
    fprintf(o,
            "/* The product of %s with plain SGD folded in (beta = 1),\n"
            " * so the gradient is never stored:\n *   %s -= lr * %s\n */\n",
            name, w, kernel_gemm_math(e->s, e->mp, k));
    PtrVec sgd = {0};
    if (args.uses_n)
        vec_push(a, &sgd, (void *)"int64_t N");
    for (int i = 0; i < args.bufs.len; i++)
        if (!kernel_arg_written(&args, i))
            vec_push(a, &sgd,
                     arena_printf(a, "const float *%s", ((Buffer *)args.bufs.data[i])->name));
    vec_push(a, &sgd, (void *)"float lr");
    vec_push(a, &sgd, arena_printf(a, "float *%s", w));
    print_list(o, arena_printf(a, "static void sgd_%s(", name), &sgd, ") {");
    emit_gemm_call(e, k, "-lr", "1.0f", w);
    fprintf(o, "}\n\n");
}

static void emit_call(Cu *e, Kernel *k) {
    KernelArgs args = kernel_args(e->s, e->mp, k);
    Arena *a = e->g->cx->arena;
    PtrVec list = {0};
    if (args.uses_n)
        vec_push(a, &list, (void *)"N");
    if (args.uses_seed)
        vec_push(a, &list, (void *)"m->dseed");
    for (int i = 0; i < args.bufs.len; i++)
        vec_push(a, &list, (void *)ref(e, args.bufs.data[i]));
    print_list(e->out, arena_printf(a, "    %s(", kernel_name(a, e->mp, k)), &list, ");");
}

/* ---- the state, bind and the passes --------------------------------------------------------- */

static bool uses_dropout(Graph *g) {
    for (int i = 0; i < g->nodes.len; i++)
        if (((Node *)g->nodes.data[i])->op == OP_DROPOUT)
            return true;
    return false;
}

static void emit_header(Cu *e) {
    Graph *g = e->g;
    MemPlan *mp = e->mp;
    FILE *o = e->out;
    fprintf(o, "/* Generated by mlc %s from %s for CUDA. Do not edit.\n *\n", MLC_VERSION,
            g->cx->path);
    fprintf(o, " * model %s: %lld parameters in %d tensors.\n", g->name, (long long)mp->nparams,
            g->params.len);
    fprintf(o,
            " * activations (device memory): %lld floats per sample + %lld fixed, with the "
            "batch.\n",
            (long long)plan_acts_per_sample(e->mp, e->eval ? e->eval->mp : NULL),
            (long long)plan_acts_fixed(e->mp, e->eval ? e->eval->mp : NULL));
    fprintf(o, " * %d kernels: %d in the forward pass, %d in the backward pass.\n",
            e->s->kernels.len, e->s->nforward, e->s->kernels.len - e->s->nforward);
    fprintf(o, " * Built with nvcc for a GPU, or with a host C++ compiler and -DMLC_CUDA_EMU for "
               "the\n * emulation (runtime/cuda/mlc_cuda_emu.h).\n */\n");
    fprintf(o, "#include \"mlc_cuda.h\"\n\n");
}

static void emit_struct(Cu *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    fprintf(o,
            "/* One model instance: named pointers into the runtime's blocks, on the device. */\n");
    fprintf(o, "typedef struct %s {\n", e->type);
    fprintf(o, "    /* parameters, one block in state_dict order */\n");
    for (int p = 0; p < g->params.len; p++)
        fprintf(o, "    float *%s;\n", buf(e, g->params.data[p])->name);
    fprintf(o, "    /* their gradients, one block with the same layout */\n");
    for (int p = 0; p < g->params.len; p++)
        fprintf(o, "    float *%s;\n", e->mp->grad_name[p]);
    for (int p = 0; p < g->states.len; p++)
        fprintf(o, "    float *%s; /* running state */\n", e->mp->state_name[p]);
    fprintf(o,
            "    /* activations, one block; buffers whose lives do not overlap share memory */\n");
    for (int i = 0; i < e->mp->buffers.len; i++) {
        Buffer *b = e->mp->buffers.data[i];
        if (b->kind == BUF_ACT)
            fprintf(o, "    float *%s;\n", b->name);
    }
    if (e->eval)
        for (int i = 0; i < e->eval->mp->buffers.len; i++) {
            Buffer *b = e->eval->mp->buffers.data[i];
            if (b->kind == BUF_ACT)
                fprintf(o, "    float *%s; /* evaluation pass */\n", b->name);
        }
    fprintf(o, "    float *params, *grads;\n");
    fprintf(o, "    float *host_out; /* host memory that output() copies the output into */\n");
    fprintf(o, "    float host_loss; /* the loss, copied back by loss() */\n");
    fprintf(o, "    int64_t n;       /* the last forward's batch size */\n");
    if (uses_dropout(g)) {
        fprintf(o, "    uint64_t *dseed; /* on the device: the step's dropout seed and its number, "
                   "made by mlc_cuda_seed */\n");
        fprintf(o,
                "    const uint64_t *seed_base, *seed_step; /* what the runtime makes it of */\n");
    }
    fprintf(o, "} %s;\n\n", e->type);
}

static void bind_activations(Cu *e, MemPlan *mp) {
    for (int i = 0; i < mp->buffers.len; i++) {
        Buffer *b = mp->buffers.data[i];
        if (b->kind != BUF_ACT)
            continue;
        if (b->batched)
            fprintf(e->out, "    m->%s = b->acts + %lld * b->max_batch;\n", b->name,
                    (long long)b->offset);
        else
            fprintf(e->out, "    m->%s = b->acts + %lld * b->max_batch + %lld;\n", b->name,
                    (long long)plan_acts_per_sample(e->mp, e->eval ? e->eval->mp : NULL),
                    (long long)b->offset);
    }
}

static void emit_bind(Cu *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    MemPlan *mp = e->mp;
    fprintf(o, "static void %s_bind(void *state, const MlcBuffers *b) {\n", g->name);
    fprintf(o, "    %s *m = (%s *)state;\n", e->type, e->type);
    fprintf(o, "    m->params = b->params;\n    m->grads = b->grads;\n");
    fprintf(o, "    m->host_out = b->host_out;\n");
    if (uses_dropout(g)) {
        fprintf(o,
                "    m->dseed = (uint64_t *)mlc_cuda_alloc(2 * sizeof(uint64_t)); /* kept to the "
                "end */\n");
        fprintf(o, "    m->seed_base = &b->seed_base;\n    m->seed_step = &b->seed_step;\n");
    }
    for (int p = 0; p < g->params.len; p++) {
        fprintf(o, "    m->%s = b->params + %lld;\n", buf(e, g->params.data[p])->name,
                (long long)mp->param_offset[p]);
        fprintf(o, "    m->%s = b->grads + %lld;\n", mp->grad_name[p],
                (long long)mp->param_offset[p]);
    }
    for (int p = 0; p < g->states.len; p++)
        fprintf(o, "    m->%s = b->states + %lld;\n", mp->state_name[p],
                (long long)mp->state_offset[p]);
    bind_activations(e, mp);
    if (e->eval)
        bind_activations(e, e->eval->mp);
    fprintf(o, "}\n\n");
}

/* The locals a pass names its inputs by (the batch is on the device: the runtime gathered or
 * copied it there); a forward pass notes the batch size for output(). */
static void emit_inputs(Cu *e, int first, int last, bool forward) {
    Graph *g = e->g;
    FILE *o = e->out;
    bool uses_n = false, uses[2] = {false, false};
    Buffer *leaf[2] = {e->mp->buf_of[g->input->id], e->mp->buf_of[g->target->id]};
    for (int i = first; i < last; i++) {
        KernelArgs args = kernel_args(e->s, e->mp, e->s->kernels.data[i]);
        uses_n |= args.uses_n;
        for (int j = 0; j < args.bufs.len; j++)
            for (int l = 0; l < 2; l++)
                uses[l] |= leaf[l] && args.bufs.data[j] == leaf[l];
    }
    fprintf(o, "    %s *m = (%s *)state;\n", e->type, e->type);
    fprintf(o, uses_n ? "    const int64_t N = n;\n" : "    (void)n;\n");
    if (forward)
        fprintf(o, "    m->n = n;\n");
    const char *ytype = g->target->dtype == DT_I32 ? "int32_t" : "float";
    if (uses[0])
        fprintf(o, "    const float *%s = batch_x;\n", leaf[0]->name);
    else
        fprintf(o, "    (void)batch_x;\n");
    if (uses[1])
        fprintf(o, "    const %s *%s = (const %s *)batch_y;\n", ytype, leaf[1]->name, ytype);
    else
        fprintf(o, "    (void)batch_y;\n");
}

/* Gradients that are not computed in place: zero, a constant, or a copy (one kernel). */
static bool has_grad_copies(Cu *e) {
    Graph *g = e->g;
    for (int p = 0; p < g->params.len; p++) {
        Node *d = g->grads.data[p];
        Buffer *b = d ? e->mp->buf_of[d->id] : NULL;
        if (!(b && b->kind == BUF_GRAD && b->param == p))
            return true;
    }
    return false;
}

static void emit_grad_copies_kernel(Cu *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    if (!has_grad_copies(e))
        return;
    fprintf(o, "/* The gradients not computed in place: zero (the loss does not depend on the "
               "parameter),\n * a constant, or a copy of where they were computed. */\n");
    fprintf(o, "__global__ void k_%s_grad_copies(const %s m) {\n", g->name, e->type);
    fprintf(o, "    const int64_t first = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;\n");
    fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
    for (int p = 0; p < g->params.len; p++) {
        Node *d = g->grads.data[p];
        const char *w = e->mp->grad_name[p];
        int64_t size = shape_numel_const(((Node *)g->params.data[p])->shape);
        Buffer *b = d ? e->mp->buf_of[d->id] : NULL;
        if (b && b->kind == BUF_GRAD && b->param == p)
            continue;
        fprintf(o, "    for (int64_t k = first; k < %lld; k += stride)\n", (long long)size);
        if (!d)
            fprintf(o, "        m.%s[k] = 0.0f;\n", w);
        else if (d->op == OP_CONST)
            fprintf(o, "        m.%s[k] = %s;\n", w,
                    const_expr(e, d->attr.cnst.value, d->attr.cnst.npow));
        else
            fprintf(o, "        m.%s[k] = m.%s[%s];\n", w, b->name, d->shape.rank == 0 ? "0" : "k");
    }
    fprintf(o, "}\n\n");
}

static void emit_grad_copies_call(Cu *e) {
    if (!has_grad_copies(e))
        return;
    fprintf(e->out, "    MLC_LAUNCH(k_%s_grad_copies, mlc_blocks(%lld), MLC_THREADS, *m);\n",
            e->g->name, (long long)e->mp->nparams);
}

static void pass_signature(Cu *e, const char *type, const char *pass, bool opt) {
    Arena *a = e->g->cx->arena;
    const char *params[] = {"void *state", "const float *batch_x", "const void *batch_y",
                            "int64_t n", "float lr"};
    PtrVec list = {0};
    for (int i = 0; i < (opt ? 5 : 4); i++)
        vec_push(a, &list, (void *)params[i]);
    print_list(e->out, arena_printf(a, "static %s %s_%s(", type, e->g->name, pass), &list, ") {");
}

static void emit_forward(Cu *e, const char *prefix, const char *what) {
    FILE *o = e->out;
    Graph *g = e->g;
    Schedule *s = e->s;
    Arena *a = g->cx->arena;
    fprintf(o, "/* %s: the mean loss over the batch of n samples%s%s. */\n", what,
            g->output ? ", and " : "", g->output ? buf(e, g->output)->name : "");
    pass_signature(e, "void", arena_printf(a, "%sforward", prefix), false);
    emit_inputs(e, 0, s->nforward, true);
    if (!*prefix && uses_dropout(g)) /* the training pass: this step's seed, on the device */
        fprintf(o, "    mlc_cuda_seed(m->dseed, *m->seed_base, *m->seed_step);\n");
    for (int i = 0; i < s->nforward; i++)
        emit_call(e, s->kernels.data[i]);
    fprintf(o, "}\n\n");
    fprintf(o, "/* The loss, copied back: the only value a training step sends to the host. */\n");
    fprintf(o, "static float %s_%sloss(void *state) {\n", g->name, prefix);
    if (g->loss->op == OP_CONST) /* a loss no input or parameter changes (sum(3)) */
        fprintf(o, "    (void)state;\n    return %s;\n}\n\n",
                const_expr(e, g->loss->attr.cnst.value, g->loss->attr.cnst.npow));
    else
        fprintf(o,
                "    %s *m = (%s *)state;\n"
                "    mlc_cuda_download(&m->host_loss, m->%s, sizeof(float));\n"
                "    return m->host_loss;\n}\n\n",
                e->type, e->type, buf(e, g->loss)->name);
    fprintf(o, "static const float *%s_%soutput(void *state) {\n", g->name, prefix);
    if (g->output)
        fprintf(o,
                "    %s *m = (%s *)state;\n"
                "    mlc_cuda_download(m->host_out, m->%s, (size_t)m->n * %lld * sizeof(float));\n"
                "    return m->host_out;\n}\n\n",
                e->type, e->type, buf(e, g->output)->name,
                (long long)shape_numel_const(g->output->shape));
    else
        fprintf(o, "    (void)state;\n    return NULL;\n}\n\n");
}

/* forward, backward and the update in one, with plain SGD folded into the products; the
 * parameters that no product updates are updated by one kernel. */
static void emit_train_step(Cu *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    Schedule *s = e->s;
    bool *folded = arena_alloc(g->cx->arena, sizeof(bool) * (size_t)(g->params.len + 1));
    for (int i = s->nforward; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        for (int p = 0; k->sgd_param && p < g->params.len; p++)
            folded[p] |= g->params.data[p] == k->sgd_param;
    }
    fprintf(o, "/* Plain SGD (w -= lr * grad) for every parameter no product updates, in one "
               "launch. */\n");
    fprintf(o, "__global__ void k_%s_sgd_rest(const %s m, float lr) {\n", g->name, e->type);
    fprintf(o, "    const int64_t first = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;\n");
    fprintf(o, "    const int64_t stride = (int64_t)gridDim.x * blockDim.x;\n");
    fprintf(o, "    (void)m, (void)first, (void)stride, (void)lr;\n");
    for (int p = 0; p < g->params.len; p++) {
        if (folded[p])
            continue;
        Node *w = g->params.data[p];
        fprintf(o, "    for (int64_t k = first; k < %lld; k += stride)\n",
                (long long)shape_numel_const(w->shape));
        fprintf(o, "        m.%s[k] -= lr * m.%s[k];\n", buf(e, w)->name, e->mp->grad_name[p]);
    }
    fprintf(o, "}\n\n");

    fprintf(o, "/* One training step with plain SGD, as the runtime calls it for that optimizer: "
               "each\n * weight is updated inside the product that computes its gradient, "
               "where it can be. */\n");
    pass_signature(e, "void", "train_step", true);
    if (uses_dropout(g)) /* the graph makes the step's seed on the device */
        fprintf(o,
                "    if (mlc_graph_replay(state, batch_x, batch_y, n, lr)) { /* a CUDA Graph */\n"
                "        mlc_cuda_seed_replayed();\n        return;\n    }\n");
    else
        fprintf(o, "    if (mlc_graph_replay(state, batch_x, batch_y, n, lr)) /* a CUDA Graph */\n"
                   "        return;\n");
    fprintf(o, "    %s_forward(state, batch_x, batch_y, n);\n", g->name);
    emit_inputs(e, s->nforward, s->kernels.len, false);
    for (int i = s->nforward; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        if (!k->sgd_param) {
            emit_call(e, k);
            continue;
        }
        KernelArgs args = kernel_args(e->s, e->mp, k);
        Arena *a = g->cx->arena;
        PtrVec list = {0};
        if (args.uses_n)
            vec_push(a, &list, (void *)"N");
        for (int j = 0; j < args.bufs.len; j++)
            if (!kernel_arg_written(&args, j))
                vec_push(a, &list, (void *)ref(e, args.bufs.data[j]));
        vec_push(a, &list, (void *)"lr");
        vec_push(a, &list, (void *)ref(e, buf(e, k->sgd_param)));
        print_list(o, arena_printf(a, "    sgd_%s(", kernel_name(a, e->mp, k)), &list, ");");
    }
    emit_grad_copies_call(e);
    fprintf(o, "    MLC_LAUNCH(k_%s_sgd_rest, mlc_blocks(%lld), MLC_THREADS, *m, lr);\n", g->name,
            (long long)e->mp->nparams);
    fprintf(o, "    mlc_graph_end();\n");
    fprintf(o, "}\n\n");
}

/* The test pass's sums, kept on the device (MlcModel.eval_accumulate): the evaluation
 * pass's loss, and for a classifier the samples its output gets right. */
static void emit_eval_accumulate(Cu *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    Cu *ev = e->eval ? e->eval : e;
    fprintf(o,
            "/* After the evaluation pass on a test batch: its loss, and the samples whose "
            "largest\n * output is the label, added to the test pass's sums on the device. */\n");
    fprintf(o,
            "static void %s_eval_accumulate(void *state, const void *y, int64_t n, double *acc) "
            "{\n",
            g->name);
    bool classify = g->target->dtype == DT_I32 && ev->g->output &&
                    shape_numel_const(ev->g->output->shape) == g->target->attr.leaf.nclass;
    fprintf(o, "    %s *m = (%s *)state;\n", e->type, e->type);
    if (classify)
        fprintf(o,
                "    mlc_cuda_eval_accumulate(m->%s, m->%s, (const int32_t *)y, n, %lld, acc);\n",
                buf(ev, ev->g->loss)->name, buf(ev, ev->g->output)->name,
                (long long)g->target->attr.leaf.nclass);
    else
        fprintf(o, "    (void)y;\n    mlc_cuda_eval_accumulate(m->%s, NULL, NULL, n, 0, acc);\n",
                buf(ev, ev->g->loss)->name);
    fprintf(o, "}\n\n");
}

static void emit_passes(Cu *e) {
    FILE *o = e->out;
    Schedule *s = e->s;
    emit_forward(e, "", "The forward pass");
    if (e->eval)
        emit_forward(e->eval, "eval_", "The forward pass as evaluation runs it (no dropout)");
    if (e->eval ? e->eval->g->loss->op != OP_CONST : e->g->loss->op != OP_CONST)
        emit_eval_accumulate(e);
    emit_grad_copies_kernel(e);
    fprintf(o, "/* The backward pass: the gradient of the loss for every parameter, after the "
               "forward pass\n * on the same batch. */\n");
    pass_signature(e, "void", "backward", false);
    emit_inputs(e, s->nforward, s->kernels.len, false);
    for (int i = s->nforward; i < s->kernels.len; i++)
        emit_call(e, s->kernels.data[i]);
    emit_grad_copies_call(e);
    fprintf(o, "}\n\n");
    emit_train_step(e);
}

/* ---- the model and main() -------------------------------------------------------------------
 * As the C target's MlcModel, but filled field by field: C++ (which nvcc compiles the host
 * code as) has no C99 designated initialisers in any order. */

/* The MlcModel and main(), which hands it, with the device, to the CPU trainer's runtime:
 * fields set one by one, as C++ has no designated initialisers for them. */
static void emit_model(Cu *e, const Program *p) {
    FILE *o = e->out;
    Graph *g = e->g;
    c_model_tables(o, g->cx->arena, g, e->mp);
    fprintf(o, "int main(int argc, char **argv) {\n");
    fprintf(o, "    static MlcModel m; /* zeroed: what is not set here is absent */\n");
    c_model_fields(o, g->cx->arena, p, e->type, true);
    c_model_field(o, true, "device", "&mlc_cuda_device");
    if ((e->eval ? e->eval->g : g)->loss->op != OP_CONST)
        c_model_field(o, true, "eval_accumulate", "%s_eval_accumulate", g->name);
    fprintf(o, "    return mlc_main(argc, argv, &m);\n}\n");
}

static void emit_cuda(FILE *out, const Program *p) {
    Arena *a = p->g->cx->arena;
    const char *type = c_state_type(a, p->g->name);
    Cu ev = {out, p->eval, p->es, p->emp, type, NULL};
    Cu e = {out, p->g, p->s, p->mp, type, p->eval ? &ev : NULL};
    emit_header(&e);
    emit_struct(&e);
    emit_bind(&e);
    for (int i = 0; i < p->s->kernels.len; i++)
        emit_kernel(&e, p->s->kernels.data[i]);
    if (p->eval) {
        fprintf(out, "/* ---- the evaluation pass: the forward pass without dropout ---- */\n\n");
        for (int i = 0; i < p->es->kernels.len; i++)
            emit_kernel(&ev, p->es->kernels.data[i]);
    }
    emit_passes(&e);
    emit_model(&e, p);
}

/* ---- the target ------------------------------------------------------------------------------ */

static const char *const reserved[] = {
    /* C and C++ keywords a model could use as a name */
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "main", "bool", "true", "false", "class", "new",
    "delete", "this", "template", "typename", "namespace", "public", "private", "protected",
    "virtual", "operator", "friend", "using", "try", "catch", "throw", "explicit", "mutable",
    "export", "and", "or", "not", "xor", "asm",
    /* names the generated code uses itself */
    "N", "n", "i", "j", "k", "m", "v", "state", "batch_x", "batch_y", "acc", "total", "row", "max",
    "sum", "yr", "dyr", "dot", "scale", "shift", "logit", "lane", "warps", "part", "first",
    "stride", "warp", "j0", "part", "q", "lr", "seed", "params", "grads", "host_out", "host_loss",
    "threadIdx", "blockIdx", "blockDim", "gridDim", "dim3",
    /* the layout copies' and axis loops' (backend/ctext.c) */
    "i0", "i1", "i2", "i3", "t", "rest", "a", "best",
    /* what kernels call or name */
    "expf", "logf", "log", "log1pf", "fmaxf", "fabsf", "tanhf", "sqrtf", "mlc_relu", "mlc_gelu",
    "mlc_gelu_grad", "mlc_gelu_tanh", "mlc_gelu_tanh_grad", "mlc_clamp", "powf", "mlc_elu",
    "mlc_dropout", "mlc_gemm", "mlc_cuda_zero", "mlc_adaptive_avgpool_plane",
    "mlc_adaptive_avgpool_plane_bwd", "mlc_blocks", "mlc_warp_sum", "mlc_warp_max", "mlc_block_sum",
    "mlc_cuda_upload", "mlc_cuda_download", "mlc_cuda_device", "mlc_graph_replay", "mlc_graph_end",
    "mlc_cuda_eval_accumulate", "acc", "MLC_LAUNCH", "MLC_THREADS", "win", "plane", "p", "q", "at",
    "pl", "dx", "d", "share", "e", "s", "r", "c", "ch", "count", "mean", "var", "stat", "invstd",
    "is", "a", "b", "mlc_maxpool_argmax", "mlc_window_at", "ss", "sum_dy", "sum_dy_x", "sum_dx",
    "dy_k", "MlcWindow", "int64_t", "int32_t", "uint64_t", "NULL", "INFINITY", "NAN",
    /* the convolutions' (emit_conv_body) */
    "mlc_tile_gemm", "mlc_grid", "mlc_cuda_sum_parts", "mlc_gemm_bias", "dseed", "seed_base",
    "seed_step", "mlc_cuda_seed", "mlc_cuda_seed_replayed", "grp", "image", "images", "part", "m0",
    "n0", "xg", "dyg", "o", "row", "col", "hw", "bt", NULL};

const Target target_cuda = {
    .name = "cuda",
    .extension = ".cu",
    .reserved = reserved,
    .has_blas = true,
    .has_device = true,
    .static_memory = false,
    .supports = NULL, /* every op */
    .fuse_batchnorm = true,
    .scratch = cuda_scratch,
    .emit = emit_cuda,
    .build = build_cuda,
};
