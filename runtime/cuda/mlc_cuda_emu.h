/* mlc_cuda_emu.h: CUDA kernels on the CPU, for testing where there is no GPU.
 *
 * A generated .cu compiled by a host C++ compiler with MLC_CUDA_EMU defined includes this
 * instead of the CUDA headers. A launch runs the grid's blocks one after another; within a
 * block every CUDA thread is a coroutine (ucontext) with its own stack, so a thread can stop
 * at a barrier and the others run up to it:
 *   - __shared__ variables are static: one copy, which the block's threads share (blocks do
 *     not overlap in time, so one copy serves them all);
 *   - __syncthreads() waits until every thread of the block that has not returned is there,
 *     __syncwarp() and the shuffles until every such thread of the warp is: a kernel whose
 *     threads wait at different barriers stops with a message, as it would hang a GPU;
 *   - __shfl_xor_sync and __shfl_down_sync exchange values through a table of the block's
 *     lanes, between two warp barriers;
 *   - atomics are plain read-modify-writes: a coroutine is never interrupted between two
 *     barriers.
 * Threads run in order of their index until they block, so a kernel that reads what another
 * thread writes without a barrier between may still pass here: the emulation catches wrong
 * indices, reductions and barriers, not every race.
 *
 * Only what the CUDA target's kernels use: one-dimensional grids and blocks (dim3's y and z
 * are 1), blocks of whole warps.
 */
#ifndef MLC_CUDA_EMU_H
#define MLC_CUDA_EMU_H

#include <functional>
#include <vector>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __restrict__ __restrict

struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

/* The running thread's coordinates, set by the scheduler before it resumes a thread. */
static dim3 threadIdx, blockIdx, blockDim, gridDim;

namespace mlc_emu {

enum Wait {
    RUNNABLE, /* runs when its turn comes */
    AT_BLOCK, /* waits in __syncthreads() */
    AT_WARP,  /* waits in __syncwarp() (or a shuffle) */
    DONE,     /* returned from the kernel */
};

enum {
    STACK = 64 * 1024, /* bytes of each thread's stack */
    MAX_THREADS = 1024
};

struct Thread {
    ucontext_t ctx;
    Wait wait;
};

static ucontext_t scheduler;
static Thread threads[MAX_THREADS];
static char *stacks;
static unsigned current;
static std::function<void()> body; /* the kernel's call, with its arguments */

static void thread_main() {
    body();
    threads[current].wait = DONE; /* then back to the scheduler (uc_link) */
}

/* Stops the running thread until the scheduler releases the barrier it waits at. */
static inline void block(Wait w) {
    threads[current].wait = w;
    swapcontext(&threads[current].ctx, &scheduler);
}

[[noreturn]] static inline void fail(const char *what) {
    fflush(stdout);
    fprintf(stderr, "CUDA emulation: %s (block %u)\n", what, blockIdx.x);
    exit(1);
}

/* Releases the barriers that every live thread concerned has reached: a warp's barrier when
 * all its live threads wait there, the block's when all of them do. False: no barrier can
 * be released although threads wait (they wait at different barriers). */
static inline bool release(unsigned n) {
    bool released = false, block_ready = true;
    for (unsigned w = 0; w < n; w += 32) {
        bool all = true, any = false;
        for (unsigned t = w; t < w + 32 && t < n; t++) {
            all &= threads[t].wait == AT_WARP || threads[t].wait == DONE;
            any |= threads[t].wait == AT_WARP;
        }
        if (all && any) {
            for (unsigned t = w; t < w + 32 && t < n; t++)
                if (threads[t].wait == AT_WARP)
                    threads[t].wait = RUNNABLE;
            released = true;
        }
    }
    if (released)
        return true;
    bool any = false;
    for (unsigned t = 0; t < n; t++) {
        block_ready &= threads[t].wait == AT_BLOCK || threads[t].wait == DONE;
        any |= threads[t].wait == AT_BLOCK;
    }
    if (!block_ready || !any)
        return false;
    for (unsigned t = 0; t < n; t++)
        if (threads[t].wait == AT_BLOCK)
            threads[t].wait = RUNNABLE;
    return true;
}

static inline void run_block(unsigned n) {
    for (unsigned t = 0; t < n; t++) {
        getcontext(&threads[t].ctx);
        threads[t].ctx.uc_stack.ss_sp = stacks + (size_t)t * STACK;
        threads[t].ctx.uc_stack.ss_size = STACK;
        threads[t].ctx.uc_link = &scheduler;
        makecontext(&threads[t].ctx, thread_main, 0);
        threads[t].wait = RUNNABLE;
    }
    for (;;) {
        for (unsigned t = 0; t < n; t++) {
            if (threads[t].wait != RUNNABLE)
                continue;
            current = t;
            threadIdx = dim3(t);
            swapcontext(&scheduler, &threads[t].ctx);
        }
        bool all_done = true;
        for (unsigned t = 0; t < n; t++)
            all_done &= threads[t].wait == DONE;
        if (all_done)
            return;
        if (!release(n))
            fail("the threads of a block wait at different barriers");
    }
}

} // namespace mlc_emu

/* A CUDA Graph in the emulation: while capturing, launches and products are recorded (with
 * their arguments as they are at capture, as a graph keeps them) instead of run; a replay
 * runs the record. */
typedef std::vector<std::function<void()>> MlcEmuGraph;
namespace mlc_emu {
static bool capturing;
static MlcEmuGraph record;
} // namespace mlc_emu

static inline void mlc_emu_run(dim3 grid, dim3 block, const std::function<void()> &kernel);

/* kernel<<<grid, block>>>(...), as MLC_LAUNCH writes it in the emulation. */
static inline void mlc_emu_launch(dim3 grid, dim3 block, const std::function<void()> &kernel) {
    if (mlc_emu::capturing)
        mlc_emu::record.push_back([=]() { mlc_emu_run(grid, block, kernel); });
    else
        mlc_emu_run(grid, block, kernel);
}

/* A host step of the graph (a matrix product): recorded while capturing, else run. */
static inline void mlc_emu_host(const std::function<void()> &step) {
    if (mlc_emu::capturing)
        mlc_emu::record.push_back(step);
    else
        step();
}

static inline void mlc_emu_graph_begin() {
    mlc_emu::record.clear();
    mlc_emu::capturing = true;
}
static inline MlcEmuGraph *mlc_emu_graph_end() {
    mlc_emu::capturing = false;
    return new MlcEmuGraph(std::move(mlc_emu::record));
}
static inline void mlc_emu_graph_replay(const MlcEmuGraph *graph) {
    for (const std::function<void()> &step : *graph)
        step();
}

static inline void mlc_emu_run(dim3 grid, dim3 block, const std::function<void()> &kernel) {
    using namespace mlc_emu;
    if (block.x == 0 || block.x > MAX_THREADS || block.x % 32 != 0 || grid.x == 0)
        fail("a launch needs 1 to 1024 threads per block, in whole warps, and a block");
    if (!stacks && !(stacks = (char *)malloc((size_t)MAX_THREADS * STACK)))
        fail("out of memory for the threads' stacks");
    body = kernel;
    gridDim = grid;
    blockDim = block;
    for (unsigned b = 0; b < grid.x; b++) {
        blockIdx = dim3(b);
        run_block(block.x);
    }
}

static inline void __syncthreads() {
    mlc_emu::block(mlc_emu::AT_BLOCK);
}
static inline void __syncwarp(unsigned mask = 0xffffffffu) {
    (void)mask;
    mlc_emu::block(mlc_emu::AT_WARP);
}

/* A shuffle: every lane puts its value in the table, the warp meets, each lane reads its
 * source's, the warp meets again (so no lane overwrites a value another has yet to read). */
template <class T> static inline T mlc_emu_shuffle(T v, unsigned src_lane) {
    static T table[mlc_emu::MAX_THREADS];
    const unsigned warp = threadIdx.x / 32 * 32;
    table[threadIdx.x] = v;
    __syncwarp();
    T got = table[warp + src_lane];
    __syncwarp();
    return got;
}
template <class T> static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask) {
    (void)mask;
    return mlc_emu_shuffle(v, (threadIdx.x % 32) ^ (unsigned)lane_mask);
}
template <class T> static inline T __shfl_down_sync(unsigned mask, T v, unsigned delta) {
    (void)mask;
    const unsigned lane = threadIdx.x % 32;
    return mlc_emu_shuffle(v, lane + delta < 32 ? lane + delta : lane);
}

template <class T> static inline T atomicAdd(T *p, T v) {
    T old = *p;
    *p = old + v;
    return old;
}

#endif
