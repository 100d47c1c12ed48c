/* tracker/metrics.h — Prometheus text exposition of the tracker's health on an HTTP
 * listener (libmicrohttpd, its own thread): `whaletrack run --metrics 127.0.0.1:9464`.
 * The run loop publishes a snapshot after each step; the listener only reads the latest
 * snapshot under a mutex, so a scrape never touches the store or the node. */
#ifndef WT_TRACKER_METRICS_H
#define WT_TRACKER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "tracker/err.h"

enum { TRK_METRICS_ENDPOINTS = 8 };

/* What a scrape shows. Plain data; the names are redacted endpoint forms. */
typedef struct trk_metrics_snap {
    uint64_t head, cursor;          /* the node's head, the store's cursor block */
    uint64_t blocks, moves, reorgs; /* processed since start */
    uint64_t last_seq;              /* the move log's last sequence number */
    uint64_t store_bytes;           /* the data file's size */
    uint64_t outbox_depth;          /* alerts waiting */
    uint64_t alerts_delivered, alerts_retracted, alerts_skipped, alert_failures;
    size_t nendpoints;
    struct trk_metrics_ep {
        char name[128];
        uint64_t requests, calls, errors, latency_us_sum;
    } ep[TRK_METRICS_ENDPOINTS];
} trk_metrics_snap;

typedef struct trk_metrics trk_metrics;

/* trk_metrics_start: listens on addr ("127.0.0.1:9464", "[::1]:9464" or ":9464" for every
 * interface) and answers GET /metrics (any path) with the latest published snapshot.
 * Returns: 0; TRK_EINVAL (addr malformed, or cannot listen: why says so); TRK_ENOMEM.
 * Out: *out (trk_metrics_stop), NULL on failure; why[0..cap) one line ("" on success). */
int trk_metrics_start(trk_metrics **out, char *why, size_t cap, const char *addr) TRK_WUR;

/* trk_metrics_publish: the snapshot the next scrapes show (copied). */
void trk_metrics_publish(trk_metrics *m, const trk_metrics_snap *snap);

/* trk_metrics_stop: stops the listener and frees; NULL is a no-op. */
void trk_metrics_stop(trk_metrics *m);

/* trk_metrics_render: the Prometheus text of snap into out[0..cap).
 * Returns: the length; cap or more when truncated. */
size_t trk_metrics_render(char *out, size_t cap, const trk_metrics_snap *snap);

#endif
