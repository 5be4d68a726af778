// KV-stream probe (eval/benchmarks.md, "A KV stream per sequence"): the process CPU time of one sequence's single-token
// decodes with the other sequences' prompts kept vs cleared, in a unified KV cache (UNIFIED=1) or with a stream per
// sequence (0). Single-token decodes run on one thread (THREADS only for filling prompts), so CPU time measures the work
// whatever the machine's load. Synthetic token ids; the figures are about cost, not text.
// usage: kv-stream-probe LIBDIR MODEL THREADS UNIFIED NSEQ CTX_PER_SEQ PROMPT GEN
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "llama.h"
static void quiet(enum ggml_log_level l, const char *t, void *u) { (void)u; if (l == GGML_LOG_LEVEL_ERROR) fputs(t, stderr); }
static double now(void) { struct timespec ts; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); return ts.tv_sec + ts.tv_nsec * 1e-9; }
static struct llama_context *ctx; static int n_vocab;
static void fill(int seq, int n, int seed) {
    struct llama_batch b = llama_batch_init(512, 0, 1);
    for (int p = 0; p < n; ) {
        b.n_tokens = 0;
        for (; p < n && b.n_tokens < 512; p++) {
            int i = b.n_tokens++;
            b.token[i] = 1 + (unsigned)(p * 7919 + seed * 104729) % (unsigned)(n_vocab - 1); b.pos[i] = p;
            b.n_seq_id[i] = 1; b.seq_id[i][0] = seq; b.logits[i] = (p == n - 1);
        }
        if (llama_decode(ctx, b)) { fprintf(stderr, "fill decode failed\n"); exit(1); }
    }
    llama_batch_free(b);
}
static double gen(int seq, int start, int n) {
    struct llama_batch b = llama_batch_init(1, 0, 1);
    double t0 = now();
    for (int k = 0; k < n; k++) {
        b.n_tokens = 1; b.token[0] = 1 + (unsigned)(k * 31) % (unsigned)(n_vocab - 1); b.pos[0] = start + k;
        b.n_seq_id[0] = 1; b.seq_id[0][0] = seq; b.logits[0] = 1;
        if (llama_decode(ctx, b)) { fprintf(stderr, "gen decode failed\n"); exit(1); }
        (void)llama_get_logits_ith(ctx, 0);
    }
    double ms = (now() - t0) * 1000 / n;
    llama_batch_free(b);
    return ms;
}
int main(int argc, char **argv) {
    if (argc != 9) { fprintf(stderr, "usage\n"); return 2; }
    int threads = atoi(argv[3]), unified = atoi(argv[4]), nseq = atoi(argv[5]), per = atoi(argv[6]), prompt = atoi(argv[7]), g = atoi(argv[8]);
    llama_log_set(quiet, NULL);
    ggml_backend_load_all_from_path(argv[1]);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model *model = llama_model_load_from_file(argv[2], mp);
    n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = per * nseq; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_seq_max = nseq;
    cp.n_threads = 1; cp.n_threads_batch = threads; cp.kv_unified = unified; cp.no_perf = 1;
    ctx = llama_init_from_model(model, cp);
    llama_memory_t mem = llama_get_memory(ctx);
    fill(0, prompt, 0); gen(0, prompt, 4); // warm-up
    llama_memory_seq_rm(mem, 0, -1, -1);
    // clean: only the measured sequence
    fill(0, prompt, 1); double clean1 = gen(0, prompt, g); llama_memory_seq_rm(mem, 0, -1, -1);
    // kept: the others' prompts + 16 generated tokens stay, then the measured sequence (its cells come last)
    for (int s = 1; s < nseq; s++) fill(s, prompt + 16, s + 1);
    fill(0, prompt, 1); double kept = gen(0, prompt, g); llama_memory_seq_rm(mem, 0, -1, -1);
    for (int s = 1; s < nseq; s++) llama_memory_seq_rm(mem, s, -1, -1);
    fill(0, prompt, 1); double clean2 = gen(0, prompt, g);
    printf("unified=%d nseq=%d ctx/seq=%d prompt=%d: cpu ms/token clean %.1f, others kept %.1f, clean again %.1f; kept/clean %.3f\n",
        unified, nseq, per, prompt, clean1, kept, clean2, kept * 2 / (clean1 + clean2));
    llama_free(ctx); llama_model_free(model);
    return 0;
}
