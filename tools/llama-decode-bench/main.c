// Minimal reference decoder for `reportgen bench llm` (overhead row): the same libllama, GGUF and thread
// count as our stack, with nothing between the caller and llama_decode. Prompt eval first, then a loop of
// single-token llama_decode + greedy sampling; only that loop is timed.
//
// Built at bench time by ReportGen.Eval (LlmReferenceDecoder) with gcc against the pinned llama.h
// (llama.cpp source of the provisioned build; the header is not vendored here) and linked to the
// provisioned libllama/libggml, so the struct layouts are exactly those of the library.
//
// usage: llama-decode-bench LIBDIR MODEL THREADS TOKENS CTX PROMPT
// prints: tokens=<generated in the timed loop> seconds=<loop time> cpu_seconds=<process CPU time in the loop> prompt_tokens=<n>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "llama.h"

static void quiet_log(enum ggml_log_level level, const char *text, void *user) {
    (void)user;
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s LIBDIR MODEL THREADS TOKENS CTX PROMPT\n", argv[0]);
        return 2;
    }
    const char *libdir = argv[1], *model_path = argv[2], *prompt = argv[6];
    int threads = atoi(argv[3]), tokens = atoi(argv[4]), n_ctx = atoi(argv[5]);
    if (threads < 1 || tokens < 2 || n_ctx < 8) { fprintf(stderr, "bad THREADS/TOKENS/CTX\n"); return 2; }

    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(libdir);
    llama_backend_init();

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(model_path, mp);
    if (!model) { fprintf(stderr, "cannot load %s\n", model_path); return 1; }
    const struct llama_vocab *vocab = llama_model_get_vocab(model);

    // Same context settings as ReportGen.Llama.LlamaContext (unified KV, no perf counters).
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = (uint32_t)n_ctx;
    cp.n_batch = 512;
    cp.n_ubatch = 512;
    cp.n_seq_max = 1;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.kv_unified = true;
    cp.no_perf = true;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "cannot create context\n"); return 1; }

    int cap = (int)strlen(prompt) + 8;
    llama_token *prompt_tokens = malloc(sizeof(llama_token) * (size_t)cap);
    int n_prompt = llama_tokenize(vocab, prompt, (int32_t)strlen(prompt), prompt_tokens, cap, true, false);
    if (n_prompt <= 0 || n_prompt + tokens > n_ctx) { fprintf(stderr, "prompt does not fit\n"); return 2; }

    struct llama_sampler *sampler = llama_sampler_init_greedy();
    // Untimed warm-up pass (prompt + a few single-token steps), then a cleared KV cache: our stack's context is
    // long-lived and warm too, so first-decode graph allocation and page faults are excluded on both sides.
    if (llama_decode(ctx, llama_batch_get_one(prompt_tokens, n_prompt)) != 0) { fprintf(stderr, "warm-up decode failed\n"); return 1; }
    for (int i = 0; i < 4; i++) {
        llama_token t = llama_sampler_sample(sampler, ctx, -1);
        if (llama_decode(ctx, llama_batch_get_one(&t, 1)) != 0) { fprintf(stderr, "warm-up decode failed\n"); return 1; }
    }
    llama_memory_clear(llama_get_memory(ctx), true);
    llama_sampler_reset(sampler);

    if (llama_decode(ctx, llama_batch_get_one(prompt_tokens, n_prompt)) != 0) { fprintf(stderr, "prompt decode failed\n"); return 1; }
    llama_token token = llama_sampler_sample(sampler, ctx, -1);
    llama_sampler_accept(sampler, token);

    // Timed: feed each sampled token back one at a time, as a single stream does.
    int generated = 0;
    double start = clock_seconds(CLOCK_MONOTONIC), cpu_start = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 1; i < tokens; i++) {
        if (llama_vocab_is_eog(vocab, token)) break;
        if (llama_decode(ctx, llama_batch_get_one(&token, 1)) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
        token = llama_sampler_sample(sampler, ctx, -1);
        llama_sampler_accept(sampler, token);
        generated++;
    }
    double seconds = clock_seconds(CLOCK_MONOTONIC) - start, cpu_seconds = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    printf("tokens=%d seconds=%.9f cpu_seconds=%.9f prompt_tokens=%d\n", generated, seconds, cpu_seconds, n_prompt);

    llama_sampler_free(sampler);
    free(prompt_tokens);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
