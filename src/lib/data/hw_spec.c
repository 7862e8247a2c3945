/* Accelerator figures stated by the user (hw_spec.h). */
#include "data/hw_spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "data/gpu_specs.h"
#include "util/text.h"

#define USAGE "NAME:tdp=W,tflops=T (keys tdp, tflops or tensor, fp16, fp32)"

int aim__hw_spec_parse(const char *item, size_t len, aim_hw_spec *ret, char *err, size_t errlen) {
    char text[256];
    if (err && errlen)
        err[0] = '\0';
    if (!item || !ret || len == 0 || len >= sizeof text || memchr(item, '\0', len))
        return aim__text_invalid(err, errlen, "bad --gpu-spec: " USAGE);
    memcpy(text, item, len);
    text[len] = '\0';
    /* The last ':' ends the name: figures never contain one, a name might. */
    char *colon = strrchr(text, ':');
    if (!colon || colon == text)
        return aim__text_invalid(err, errlen, "bad --gpu-spec '%s': " USAGE, text);
    *colon = '\0';
    char key[AIM_HW_KEY_MAX];
    if (strlen(text) >= sizeof ret->name || aim__hw_name_key(text, key, sizeof key) < 0)
        return aim__text_invalid(err, errlen, "bad --gpu-spec '%s': a device name of letters and digits, "
                    "under 64 bytes", text);
    double tdp = NAN, tensor = NAN, fp16 = NAN, fp32 = NAN;
    for (char *p = colon + 1; *p;) {
        size_t n = strcspn(p, ",");
        char *eq = memchr(p, '=', n);
        double v;
        if (!eq || aim_parse_number(eq + 1, n - (size_t)(eq + 1 - p), &v) < 0 || !(v > 0))
            return aim__text_invalid(err, errlen, "bad --gpu-spec '%s:%s': '%.*s' is not KEY=positive number; "
                        USAGE, text, colon + 1, (int)n, p);
        size_t kl = (size_t)(eq - p);
        double *slot = kl == 3 && !strncmp(p, "tdp", 3)      ? &tdp
                     : kl == 6 && !strncmp(p, "tflops", 6)   ? &tensor
                     : kl == 6 && !strncmp(p, "tensor", 6)   ? &tensor
                     : kl == 4 && !strncmp(p, "fp16", 4)     ? &fp16
                     : kl == 4 && !strncmp(p, "fp32", 4)     ? &fp32
                                                             : NULL;
        if (!slot)
            return aim__text_invalid(err, errlen, "bad --gpu-spec '%s:%s': unknown key '%.*s'; " USAGE, text,
                        colon + 1, (int)kl, p);
        if (!isnan(*slot))
            return aim__text_invalid(err, errlen, "bad --gpu-spec '%s:%s': '%.*s' given twice", text,
                        colon + 1, (int)kl, p);
        if ((slot == &tdp && v > 10000) || (slot != &tdp && v > 1e6))
            return aim__text_invalid(err, errlen, "bad --gpu-spec '%s:%s': %.*s is not plausible (TDP up to "
                        "10000 W, throughput up to 1e6 TFLOPS)", text, colon + 1, (int)n, p);
        *slot = v;
        p += n;
        if (*p == ',')
            p++;
    }
    const aim_gpu_info *row = NULL;
    int in_table = aim_gpu_lookup(text, &row) == 0;
    int tput = !isnan(tensor) || !isnan(fp16) || !isnan(fp32);
    if (!in_table && (isnan(tdp) || !tput))
        return aim__text_invalid(err, errlen, "--gpu-spec '%s' is not in the hardware table: give its tdp and "
                    "a throughput (tflops, fp16 or fp32), e.g. '%s:tdp=300,tflops=150'", text, text);
    if (in_table && isnan(tdp) && !tput)
        return aim__text_invalid(err, errlen, "bad --gpu-spec '%s:': no figure given; " USAGE, text);

    memset(ret, 0, sizeof *ret);
    snprintf(ret->name, sizeof ret->name, "%s", text);
    ret->base = in_table ? row : NULL;
    if (in_table) {
        ret->info = *row;
        /* A stated throughput replaces the row's: mixing the user's tensor figure with the
         * table's FP32 would compare two different things. */
        if (tput)
            ret->info.tensor_tflops = ret->info.fp16_tflops = ret->info.fp32_tflops =
                ret->info.tf32_tflops = ret->info.fp8_tflops = NAN;
        snprintf(ret->source, sizeof ret->source, "stated with --gpu-spec (%s%s%s); other figures: "
                 "%.80s", isnan(tdp) ? "" : "TDP", !isnan(tdp) && tput ? ", " : "",
                 tput ? "throughput" : "", row->name);
    } else {
        ret->info = (aim_gpu_info){ .vendor = "", .kind = "gpu", .aliases = "", .memory_gb = NAN,
                                    .fp32_tflops = NAN, .fp16_tflops = NAN, .tf32_tflops = NAN,
                                    .tensor_tflops = NAN, .fp8_tflops = NAN, .mem_bw_gbs = NAN };
        snprintf(ret->source, sizeof ret->source, "stated with --gpu-spec");
    }
    if (!isnan(tdp))
        ret->info.tdp_w = tdp;
    if (!isnan(tensor))
        ret->info.tensor_tflops = tensor;
    if (!isnan(fp16))
        ret->info.fp16_tflops = fp16;
    if (!isnan(fp32))
        ret->info.fp32_tflops = fp32;
    ret->info.name = ret->name;
    ret->info.source = ret->source;
    ret->info.licence = "";
    return 0;
}

int aim__hw_spec_matches(const aim_hw_spec *s, const char *name) {
    char key[AIM_HW_KEY_MAX];
    if (!s || !name || aim__hw_name_key(name, key, sizeof key) < 0)
        return 0;
    if (aim__hw_name_match(key, s->name, NULL) == 1)
        return 1;
    const aim_gpu_info *g;
    return s->base && aim_gpu_lookup(name, &g) == 0 && g == s->base;
}
