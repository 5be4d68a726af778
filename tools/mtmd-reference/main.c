// Reference for vision-language parity (tools/vlm-parity.sh): llama.cpp's own multimodal path with nothing of
// ours in between. It loads the same libllama/libggml/libmtmd our stack loads (LIBDIR), decodes the image with
// mtmd's helper (stb_image), tokenizes with mtmd_tokenize, evaluates with mtmd_helper_eval_chunks and samples
// greedily, as llama-mtmd-cli does at --temp 0.
//
// Built by tools/vlm-parity.sh with cc against the pinned llama.h/ggml.h and the mtmd.h provisioned beside
// libmtmd.so (headers are not vendored here), linked to the libraries in LIBDIR.
//
// usage: mtmd-reference LIBDIR MODEL MMPROJ IMAGE PROMPT N_PREDICT THREADS TOKENS_OUT EMBD_OUT [--raw | --template=NAME]
//   PROMPT without the media marker (<__media__>) gets one in front, like llama-mtmd-cli; the GGUF's chat
//   template (or llama.cpp's named template NAME) is applied (llama_chat_apply_template, one user turn, generation
//   prompt) unless --raw.
//   TOKENS_OUT: generated token ids, one per line (the end-of-generation token is not written).
//   EMBD_OUT: float32 little endian, the image's embedding rows (n_tokens x llama_model_n_embd_inp).
//   stdout: the generated text.
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llama.h"
#include "mtmd.h"
#include "mtmd-helper.h"

static void quiet_log(enum ggml_log_level level, const char *text, void *user) {
    (void)user;
    if (level == GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

static int fail(const char *what) {
    fprintf(stderr, "mtmd-reference: %s\n", what);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 10 && argc != 11) {
        fprintf(stderr, "usage: %s LIBDIR MODEL MMPROJ IMAGE PROMPT N_PREDICT THREADS TOKENS_OUT EMBD_OUT [--raw | --template=NAME]\n", argv[0]);
        return 2;
    }
    const char *libdir = argv[1], *model_path = argv[2], *mmproj_path = argv[3], *image_path = argv[4], *prompt = argv[5];
    int n_predict = atoi(argv[6]), threads = atoi(argv[7]);
    const char *tokens_out = argv[8], *embd_out = argv[9];
    bool raw = argc == 11 && strcmp(argv[10], "--raw") == 0;
    // --template=NAME: one of llama.cpp's named templates (e.g. vicuna) instead of the GGUF's, as --chat-template NAME
    // does in llama-mtmd-cli and reportgen generate
    const char *named = argc == 11 && strncmp(argv[10], "--template=", 11) == 0 ? argv[10] + 11 : NULL;
    if (n_predict < 1 || threads < 1) return fail("bad N_PREDICT/THREADS");

    llama_log_set(quiet_log, NULL);
    mtmd_helper_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(libdir);
    llama_backend_init();

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model *model = llama_model_load_from_file(model_path, mp);
    if (!model) return fail("cannot load MODEL");
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 2048;
    cp.n_batch = 512;
    cp.n_threads = cp.n_threads_batch = threads;
    struct llama_context *lctx = llama_init_from_model(model, cp);
    if (!lctx) return fail("cannot create the llama context");

    struct mtmd_context_params mparams = mtmd_context_params_default();
    mparams.use_gpu = false;
    mparams.print_timings = false;
    mparams.n_threads = threads;
    mtmd_context *mctx = mtmd_init_from_file(mmproj_path, model, mparams);
    if (!mctx) return fail("cannot load MMPROJ");

    struct mtmd_helper_bitmap_wrapper image = mtmd_helper_bitmap_init_from_file(mctx, image_path, false, mtmd_helper_init_opt_default());
    if (!image.bitmap) return fail("cannot decode IMAGE");

    // one marker in front when the prompt has none, then the chat template (or not)
    const char *marker = mtmd_default_marker();
    size_t need = strlen(prompt) + strlen(marker) + 1;
    char *text = malloc(need);
    snprintf(text, need, "%s%s", strstr(prompt, marker) ? "" : marker, prompt);
    char *formatted = text;
    if (!raw) {
        const char *tmpl = named ? named : llama_model_chat_template(model, NULL);
        struct llama_chat_message msg = { "user", text };
        int32_t n = llama_chat_apply_template(tmpl, &msg, 1, true, NULL, 0);
        if (n < 0) return fail("the model's chat template is not one llama_chat_apply_template knows; use --raw");
        formatted = malloc((size_t)n + 1);
        llama_chat_apply_template(tmpl, &msg, 1, true, formatted, n + 1);
        formatted[n] = '\0';
    }

    mtmd_input_chunks *chunks = mtmd_input_chunks_init();
    struct mtmd_input_text input = { formatted, strlen(formatted), true, true };
    const mtmd_bitmap *bitmaps[1] = { image.bitmap };
    if (mtmd_tokenize(mctx, chunks, &input, bitmaps, 1) != 0) return fail("mtmd_tokenize failed");

    // the image embeddings, as the projector hands them to the LLM
    FILE *fe = fopen(embd_out, "wb");
    if (!fe) return fail("cannot write EMBD_OUT");
    int n_embd = llama_model_n_embd_inp(model);
    for (size_t i = 0; i < mtmd_input_chunks_size(chunks); i++) {
        const mtmd_input_chunk *chunk = mtmd_input_chunks_get(chunks, i);
        if (mtmd_input_chunk_get_type(chunk) != MTMD_INPUT_CHUNK_TYPE_IMAGE) continue;
        if (mtmd_encode_chunk(mctx, chunk) != 0) return fail("mtmd_encode_chunk failed");
        size_t rows = mtmd_input_chunk_get_n_tokens(chunk);
        fwrite(mtmd_get_output_embd(mctx), sizeof(float), rows * (size_t)n_embd, fe);
        fprintf(stderr, "wrote %zu embedding rows of %d floats\n", rows, n_embd);
    }
    fclose(fe);

    llama_pos n_past = 0;
    if (mtmd_helper_eval_chunks(mctx, lctx, chunks, 0, 0, (int32_t)cp.n_batch, true, &n_past) != 0)
        return fail("mtmd_helper_eval_chunks failed");

    struct llama_sampler *greedy = llama_sampler_init_greedy();
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    FILE *ft = fopen(tokens_out, "w");
    if (!ft) return fail("cannot write TOKENS_OUT");
    for (int i = 0; i < n_predict; i++) {
        llama_token tok = llama_sampler_sample(greedy, lctx, -1);
        if (llama_vocab_is_eog(vocab, tok)) break;
        fprintf(ft, "%d\n", tok);
        char piece[256];
        int n = llama_token_to_piece(vocab, tok, piece, sizeof piece, 0, false);
        if (n > 0) fwrite(piece, 1, (size_t)n, stdout);
        struct llama_batch batch = llama_batch_get_one(&tok, 1);
        if (llama_decode(lctx, batch) != 0) return fail("llama_decode failed");
        n_past++;
    }
    fclose(ft);
    fputc('\n', stdout);

    llama_sampler_free(greedy);
    mtmd_input_chunks_free(chunks);
    mtmd_bitmap_free(image.bitmap);
    mtmd_free(mctx);
    llama_free(lctx);
    llama_model_free(model);
    return 0;
}
