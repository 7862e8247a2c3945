/* The spool uploader's state machine (engine/upload_plan.h): uploads every interval while the
 * server answers, a backoff that doubles and is capped while it does not, one "went down"
 * and one "came back" per outage, and the delay of the samples that waited. Times are given,
 * never read from a clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "aimeter.h"
#include "engine/config.h"
#include "engine/upload_plan.h"

#define S 1000000000LL
#define WALL0 (1800000000LL * S) /* any wall clock */

static void uploads_every_interval_while_the_server_answers(void **state) {
    (void)state;
    aim_upload_plan p;
    aim__upload_plan_init(&p, 0, 100);
    assert_int_equal(p.interval_ns, AIM_UPLOAD_INTERVAL_DEFAULT_NS);
    assert_int_equal(p.next_ns, 100); /* the first is due at once */
    for (int i = 0; i < 3; i++) {
        int64_t now = 100 + i * p.interval_ns;
        assert_int_equal(aim__upload_plan_ok(&p, now, WALL0 + now), AIM_UPLOAD_NOTHING);
        assert_int_equal(p.next_ns, now + p.interval_ns);
    }
    assert_int_equal(p.outages, 0);
    assert_int_equal(p.max_delay_ns, 0);
}

static void backs_off_doubling_up_to_the_cap(void **state) {
    (void)state;
    aim_upload_plan p;
    aim__upload_plan_init(&p, 2 * S, 0);
    assert_int_equal(aim__upload_plan_ok(&p, 0, WALL0), AIM_UPLOAD_NOTHING);
    int64_t now = 2 * S, want[] = { 2 * S, 4 * S, 8 * S, 16 * S, 30 * S, 30 * S };
    for (int i = 0; i < 6; i++) {
        aim_upload_event ev = aim__upload_plan_failed(&p, now, WALL0 + now);
        assert_int_equal(ev, i == 0 ? AIM_UPLOAD_WENT_DOWN : AIM_UPLOAD_NOTHING);
        assert_int_equal(p.backoff_ns, want[i]);
        assert_int_equal(p.next_ns, now + want[i]);
        now = p.next_ns;
    }
    assert_int_equal(p.down_since_wall_ns, WALL0 + 2 * S);
    /* back: one event, the interval again, the delay of what was committed after the last
     * success (at WALL0) until now */
    assert_int_equal(aim__upload_plan_ok(&p, now, WALL0 + now), AIM_UPLOAD_CAME_BACK);
    assert_int_equal(p.backoff_ns, 0);
    assert_int_equal(p.next_ns, now + 2 * S);
    assert_int_equal(p.max_delay_ns, now);
    assert_int_equal(p.outages, 1);
    assert_int_equal(p.last_up_wall_ns, WALL0 + now);
    assert_int_equal(p.first_down_wall_ns, WALL0 + 2 * S);
    assert_int_equal(aim__upload_plan_ok(&p, now + 2 * S, WALL0 + now + 2 * S),
                     AIM_UPLOAD_NOTHING);
}

static void an_interval_longer_than_the_cap_is_kept(void **state) {
    (void)state;
    aim_upload_plan p;
    aim__upload_plan_init(&p, 60 * S, 0);
    aim__upload_plan_failed(&p, 0, WALL0);
    aim__upload_plan_failed(&p, 60 * S, WALL0 + 60 * S);
    assert_int_equal(p.backoff_ns, 60 * S);
}

static void the_largest_delay_of_several_outages(void **state) {
    (void)state;
    aim_upload_plan p;
    aim__upload_plan_init(&p, 1 * S, 0);
    /* down from the very first try: the delay counts from the outage's start */
    assert_int_equal(aim__upload_plan_failed(&p, 0, WALL0), AIM_UPLOAD_WENT_DOWN);
    assert_int_equal(aim__upload_plan_ok(&p, 5 * S, WALL0 + 5 * S), AIM_UPLOAD_CAME_BACK);
    assert_int_equal(p.max_delay_ns, 5 * S);
    /* a shorter second outage leaves the largest; a longer third one replaces it */
    assert_int_equal(aim__upload_plan_failed(&p, 6 * S, WALL0 + 6 * S), AIM_UPLOAD_WENT_DOWN);
    assert_int_equal(aim__upload_plan_ok(&p, 8 * S, WALL0 + 8 * S), AIM_UPLOAD_CAME_BACK);
    assert_int_equal(p.max_delay_ns, 5 * S);
    assert_int_equal(aim__upload_plan_failed(&p, 9 * S, WALL0 + 9 * S), AIM_UPLOAD_WENT_DOWN);
    assert_int_equal(aim__upload_plan_ok(&p, 20 * S, WALL0 + 20 * S), AIM_UPLOAD_CAME_BACK);
    assert_int_equal(p.max_delay_ns, 12 * S); /* since the success at 8 s */
    assert_int_equal(p.outages, 3);
    assert_int_equal(p.first_down_wall_ns, WALL0);
}

static void the_final_wait_is_bounded(void **state) {
    (void)state;
    aim_upload_plan p;
    aim__upload_plan_init(&p, 100000000LL, 0); /* 100 ms: at least 1 s */
    assert_int_equal(aim__upload_plan_final_wait_ns(&p), 1 * S);
    aim__upload_plan_init(&p, 0, 0); /* 5 s: 15 s */
    assert_int_equal(aim__upload_plan_final_wait_ns(&p), 15 * S);
    aim__upload_plan_init(&p, 3600 * S, 0);
    assert_int_equal(aim__upload_plan_final_wait_ns(&p), 15 * S);
    aim__upload_plan_init(&p, 2 * S, 0);
    assert_int_equal(aim__upload_plan_final_wait_ns(&p), 6 * S);
}

/* The options that configure it (--spool, --upload-interval): a spool is a local file. */
static void the_spool_options_are_checked(void **state) {
    (void)state;
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    assert_int_equal(aim_config_set_spool(c, "/var/lib/aimeter/spool.db"), 0);
    assert_string_equal(c->spool_path, "/var/lib/aimeter/spool.db");
    assert_int_equal(aim_config_set_spool(c, "postgresql://a@/b"), -EINVAL);
    assert_int_equal(aim_config_set_spool(c, ""), -EINVAL);
    assert_string_equal(c->spool_path, "/var/lib/aimeter/spool.db"); /* unchanged */
    assert_int_equal(aim_config_set_spool(c, NULL), 0);
    assert_string_equal(c->spool_path, "");
    assert_int_equal(aim_config_set_upload_interval(c, 50000000LL), 0);
    assert_int_equal(c->upload_interval_ns, 50000000LL);
    assert_int_equal(aim_config_set_upload_interval(c, 1000000LL), -EINVAL);  /* 1 ms */
    assert_int_equal(aim_config_set_upload_interval(c, 7200 * S), -EINVAL);   /* 2 h */
    assert_int_equal(c->upload_interval_ns, 50000000LL);
    assert_int_equal(aim_config_set_upload_interval(c, 0), 0); /* the default */
    aim_config_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(uploads_every_interval_while_the_server_answers),
        cmocka_unit_test(backs_off_doubling_up_to_the_cap),
        cmocka_unit_test(an_interval_longer_than_the_cap_is_kept),
        cmocka_unit_test(the_largest_delay_of_several_outages),
        cmocka_unit_test(the_final_wait_is_bounded),
        cmocka_unit_test(the_spool_options_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
