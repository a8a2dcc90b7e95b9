/* data/loaders.c: the table of data set formats.
 *
 * Each format is one file in runtime/data/ that defines an MlcLoader: its name (as the
 * train block writes it, idx("DIR")) and how to load a split of a data set. The model's
 * MlcDataKind picks one. Adding a format means writing that file, adding its MlcDataKind,
 * and listing it here.
 */
#include "mlc_runtime.h"

#include <stddef.h>

const MlcLoader *mlc_loader_find(MlcDataKind kind) {
    switch (kind) {
    case MLC_DATA_NONE: return NULL;
    case MLC_DATA_IDX: return &mlc_loader_idx;
    }
    return NULL;
}
