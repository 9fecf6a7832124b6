// Reference throughput of llama.cpp itself, built from the exact llama.cpp
// source that llama-cpp-sys-2 vendors, measured the way llama-bench measures:
// one warm-up, then per repetition an empty cache, an n_prompt-token prompt
// decoded in one batch (pp) or n_gen single-token decodes (tg); the average
// of the repetitions' tokens per second is reported.
//
// Used by scripts/bench-llm-vs-llama-cpp when no llama-bench binary of the
// same llama.cpp version is given (the crate does not vendor tools/).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "llama.h"

static double now_s() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

static void quiet(ggml_log_level, const char *, void *) {}

int main(int argc, char ** argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s MODEL THREADS N_PROMPT N_GEN REPS\n", argv[0]);
        return 2;
    }
    const char * path = argv[1];
    const int threads = atoi(argv[2]);
    const int n_prompt = atoi(argv[3]);
    const int n_gen = atoi(argv[4]);
    const int reps = atoi(argv[5]);

    llama_log_set(quiet, nullptr);
    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", path);
        return 1;
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 4096;
    cp.n_batch = 512;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create a context\n");
        return 1;
    }
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    std::vector<llama_token> tokens(n_prompt > 0 ? n_prompt : 1);
    for (size_t i = 0; i < tokens.size(); i++) {
        tokens[i] = (llama_token) (((int) i * 7919) % (n_vocab - 1) + 1);
    }

    auto pp = [&]() {
        llama_memory_clear(llama_get_memory(ctx), true);
        const double t0 = now_s();
        llama_batch b = llama_batch_get_one(tokens.data(), (int32_t) tokens.size());
        if (llama_decode(ctx, b) != 0) {
            fprintf(stderr, "decode failed\n");
            exit(1);
        }
        llama_synchronize(ctx);
        return tokens.size() / (now_s() - t0);
    };
    auto tg = [&]() {
        llama_memory_clear(llama_get_memory(ctx), true);
        const double t0 = now_s();
        for (int i = 0; i < n_gen; i++) {
            llama_token t = tokens[i % tokens.size()];
            llama_batch b = llama_batch_get_one(&t, 1);
            if (llama_decode(ctx, b) != 0) {
                fprintf(stderr, "decode failed\n");
                exit(1);
            }
        }
        llama_synchronize(ctx);
        return n_gen / (now_s() - t0);
    };

    pp();  // warm-up, as llama-bench does
    tg();
    double pp_sum = 0, tg_sum = 0;
    for (int r = 0; r < reps; r++) {
        pp_sum += pp();
    }
    for (int r = 0; r < reps; r++) {
        tg_sum += tg();
    }
    printf("%.2f %.2f\n", pp_sum / reps, tg_sum / reps);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
