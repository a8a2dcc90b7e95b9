/* st_compare: compares two safetensors files of F32 tensors.
 *
 *   st_compare EXPECTED ACTUAL [RTOL] [ATOL]
 *
 * Every tensor of EXPECTED must be in ACTUAL with the same shape, and every element must
 * satisfy |a - e| <= ATOL + RTOL * |e| (defaults 1e-4 and 1e-6). Prints one line per
 * tensor with its largest difference; exits 1 on any mismatch. Both files are read with the
 * runtime's strict reader, so ACTUAL (written by mlc) is also checked to be well-formed.
 * Used to hold mlc's gradients against PyTorch's.
 */
#include "mlc_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const MlcTensor *find(const MlcTensor *t, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

static int64_t numel(const MlcTensor *t) {
    int64_t n = 1;
    for (int d = 0; d < t->rank; d++)
        n *= t->shape[d];
    return n;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: st_compare EXPECTED ACTUAL [RTOL] [ATOL]\n");
        return 2;
    }
    double rtol = argc > 3 ? atof(argv[3]) : 1e-4, atol = argc > 4 ? atof(argv[4]) : 1e-6;
    MlcTensor *e = NULL, *a = NULL;
    int ne = 0, na = 0;
    char err[1024];
    if (!mlc_safetensors_read_all(argv[1], &e, &ne, err, sizeof err) ||
        !mlc_safetensors_read_all(argv[2], &a, &na, err, sizeof err)) {
        fprintf(stderr, "st_compare: %s\n", err);
        mlc_tensors_free(e, ne);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < ne; i++) {
        const MlcTensor *want = &e[i], *got = find(a, na, want->name);
        bool same = got && got->rank == want->rank;
        for (int d = 0; same && d < want->rank; d++)
            same = got->shape[d] == want->shape[d];
        if (!same) {
            printf("%-30s missing, or of another shape\n", want->name);
            bad++;
            continue;
        }
        double worst = 0;
        int64_t off = 0;
        for (int64_t k = 0; k < numel(want); k++) {
            double d = fabs((double)got->data[k] - (double)want->data[k]);
            worst = d > worst ? d : worst;
            off += d > atol + rtol * fabs((double)want->data[k]);
        }
        printf("%-30s largest difference %.3e  %s\n", want->name, worst, off ? "MISMATCH" : "ok");
        bad += off != 0;
    }
    printf("%d tensors compared, %d differ\n", ne, bad);
    mlc_tensors_free(e, ne);
    mlc_tensors_free(a, na);
    return bad || ne == 0 ? 1 : 0;
}
