/* The report's Markdown renderer (report/markdown.c), from a run summary built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "report_fixture.h"
#include "report_runs.h"

/* ------------------------------------------------------------------ Markdown */

static void markdown_tables(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    SET(r.name, "a|b *c*");
    SET(r.command, "grep `x` | wc");
    char *t = render(&r, "markdown");
    EXPECT_LINE(t, "###",
                "### aimeter report: run `20261121-140312-3f9a` \"a\\|b \\*c\\*\"");
    EXPECT_LINE(t, "- **Status:**", "- **Status:** completed (exit 0)");
    EXPECT_LINE(t, "- **Command:**", "- **Command:** ``grep `x` | wc``");
    EXPECT_LINE(t, "| Overall", "| Overall | Value | Method |");
    EXPECT_LINE(t, "|:--|--:", "|:--|--:|:--|");
    EXPECT_LINE(t, "| Total time", "| Total time | 43.00 s |  |");
    EXPECT_LINE(t, "| CPU energy",
                "| CPU energy (cpu0) | 6348.88 J | estimated: TDP 150 W x utilisation "
                "curve |");
    EXPECT_LINE(t, "| Total energy", "| Total energy | 6737.62 J | = 0.001872 kWh" EDGE " |");
    EXPECT_LINE(t, "| Carbon",
                "| Carbon | 0.889 g CO2e | (0.00089 kg) at 475 g/kWh, WORLD: built-in "
                "table: Ember 2024 (CC BY 4.0) |");
    EXPECT_LINE(t, "| Component", "| Component | Metric | Avg | Max | Min | Mode |");
    EXPECT_LINE(t, "| CPU |", "| CPU | Usage \\[%\\] | 3.67 | 6.20 | 2.20 | 4.00 |");
    assert_string_equal(line_of(t, "|  | Power (cpu0)"),
                        "|  | Power (cpu0) \\[W\\] | 147.91 | 160.26 | 123.73 | 123.73 |");
    EXPECT_LINE(t, "Samples",
                "Samples 430 at 100 ms (achieved 100.02 ms), missed deadlines 0. Sources: "
                "procfs, estimate.");
    EXPECT_LINE(t, "- rapl",
                "- rapl: permission denied on "
                "/sys/class/powercap/intel-rapl:0/energy\\_uj");
    free(t);
    aim__run_summary_clear(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(markdown_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
