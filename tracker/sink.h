/* tracker/sink.h — one delivery attempt of one alert to one sink: an HTTP POST (webhook,
 * Telegram, Discord) or a program run with the alert on its stdin (command). No retries
 * here (tracker/deliver.c owns them); secrets never reach the result's text. */
#ifndef WT_TRACKER_SINK_H
#define WT_TRACKER_SINK_H

#include <stdbool.h>

#include "tracker/err.h"
#include "watchlists/wl.h"

/* The outcome of one attempt. Plain data. */
typedef struct trk_send {
    bool delivered;      /* the sink accepted it (2xx, or the command exited 0) */
    long retry_after_ms; /* not delivered: the wait the sink asked for (429), else 0 */
    char why[256];       /* not delivered: one line, the sink's URL and token removed */
} trk_send;

/* The alert in the forms sinks take. Strings borrowed. */
typedef struct trk_alert_msg {
    const char *json; /* the webhook / command body: one JSON object */
    const char *text; /* the human line(s), for Telegram and Discord */
    const char *id;   /* the idempotency key: X-Whaletrack-Id header, "id" field */
} trk_alert_msg;

/* trk_sink_send: delivers msg to sink k once. A webhook gets msg->json with headers
 * Content-Type: application/json, X-Whaletrack-Id and, when k has a secret,
 * X-Whaletrack-Signature: sha256=<hex HMAC-SHA256 of the body>. Telegram gets sendMessage
 * (at $WHALETRACK_TELEGRAM_API, default https://api.telegram.org) and reads
 * parameters.retry_after of a 429; Discord gets {"content": text}; a command gets the
 * JSON and a newline on stdin (argv as written, no shell) and has k->timeout_ms to exit 0.
 * Returns: 0 (see *out); TRK_ENOMEM. Out: *out. */
int trk_sink_send(trk_send *out, const wl_sink *k, const trk_alert_msg *msg) TRK_WUR;

/* trk_hmac_sha256_hex: the lowercase hex HMAC-SHA256 of data under key, for signatures
 * (and receivers in tests). Out: hex[65], NUL-terminated. */
void trk_hmac_sha256_hex(char hex[65], const char *key, const void *data, size_t len);

#endif
