/* The order of a run's series in the CSV export (aimeter export --csv, run --csv, the
 * Python package's csv=; docs/cli.md "aimeter export"), and in its column list. */
#ifndef AIM_PROCESSING_COLUMN_ORDER_H
#define AIM_PROCESSING_COLUMN_ORDER_H

#include "processing/summary.h"

/* order[0..run->n_series) gets the series' indices in column order: by device (the host,
 * the GPUs, the CPU packages, their DRAM, platform sensors, other sensors, the process tree;
 * devices of one kind by name in natural order, gpu2 before gpu10), a device's series in the
 * order its sources declare them. The slots the store gives the series follow the rate groups
 * the run's interval made (a source slower than the interval samples in a group of its
 * own): this order does not, so runs of the same sources have the same columns whatever
 * their interval. 0, or -ENOMEM (order untouched). */
int aim__series_column_order(const aim_run_summary *run, int *order);

#endif
