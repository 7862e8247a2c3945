/* A small, deterministic CPU workload for trying aimeter and for benchmarks: trains a
 * two-layer perceptron on a synthetic regression task with plain SGD.
 *
 *   mlp-train [EPOCHS] [HIDDEN]      (defaults: 60 epochs, 256 hidden units)
 *
 * Prints one line per epoch with the loss, so a run shows progress; about 35 ms per epoch
 * at the defaults on one 2020s server core (2 s for the default 60 epochs). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define INPUTS 64
#define SAMPLES 2048

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double uniform(void) { /* xorshift64*: reproducible on every machine */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

int main(int argc, char **argv) {
    int epochs = argc > 1 ? atoi(argv[1]) : 60;
    int hidden = argc > 2 ? atoi(argv[2]) : 256;
    if (epochs < 1 || hidden < 1 || hidden > 65536) {
        fprintf(stderr, "usage: mlp-train [EPOCHS>=1] [HIDDEN 1..65536]\n");
        return 2;
    }
    double *x = malloc(sizeof(double) * SAMPLES * INPUTS), *y = malloc(sizeof(double) * SAMPLES);
    double *w1 = malloc(sizeof(double) * (size_t)hidden * INPUTS), *b1 = calloc((size_t)hidden, sizeof(double));
    double *w2 = malloc(sizeof(double) * (size_t)hidden), *h = malloc(sizeof(double) * (size_t)hidden);
    if (!x || !y || !w1 || !b1 || !w2 || !h)
        return 1;
    for (int i = 0; i < SAMPLES; i++) { /* target: a smooth nonlinear function of the inputs */
        double t = 0;
        for (int j = 0; j < INPUTS; j++) {
            x[i * INPUTS + j] = uniform();
            t += sin(x[i * INPUTS + j] * (j % 5 + 1));
        }
        y[i] = t / INPUTS;
    }
    for (int k = 0; k < hidden * INPUTS; k++)
        w1[k] = uniform() / sqrt(INPUTS);
    for (int k = 0; k < hidden; k++)
        w2[k] = uniform() / sqrt(hidden);
    double b2 = 0, lr = 0.01;
    for (int e = 1; e <= epochs; e++) {
        double loss = 0;
        for (int i = 0; i < SAMPLES; i++) {
            const double *xi = x + i * INPUTS;
            double out = b2;
            for (int k = 0; k < hidden; k++) {
                double a = b1[k];
                for (int j = 0; j < INPUTS; j++)
                    a += w1[k * INPUTS + j] * xi[j];
                h[k] = a > 0 ? a : 0; /* ReLU */
                out += w2[k] * h[k];
            }
            double err = out - y[i];
            loss += err * err;
            for (int k = 0; k < hidden; k++) {
                double g = err * w2[k];
                w2[k] -= lr * err * h[k];
                if (h[k] > 0) {
                    for (int j = 0; j < INPUTS; j++)
                        w1[k * INPUTS + j] -= lr * g * xi[j];
                    b1[k] -= lr * g;
                }
            }
            b2 -= lr * err;
        }
        printf("epoch %d loss %.6f\n", e, loss / SAMPLES);
        fflush(stdout);
    }
    free(x); free(y); free(w1); free(b1); free(w2); free(h);
    return 0;
}
