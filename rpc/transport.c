/* rpc/transport.c — HTTP POST of JSON bodies over one reused libcurl easy handle per
 * endpoint: keep-alive, compressed answers, HTTP/2 where offered, connect and total
 * timeouts, a hard cap on the response body. Errors carry curl's generic text only,
 * never the URL (it may hold a key). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "rpc/client_int.h"

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    rpc_transport *t = ud;
    size_t n = size * nmemb;
    if (rpc_sbuf_add(&t->resp, p, n) != RPC_OK) {
        t->too_large = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

int rpc_transport_init(rpc_transport *t, const char *url, long connect_ms, long timeout_ms,
                       size_t max_response)
{
    memset(t, 0, sizeof *t);
    rpc_sbuf_init(&t->resp, max_response);
    CURL *h = curl_easy_init();
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    if (!h || !hd)
        goto fail;
    struct curl_slist *hd2 = curl_slist_append(hd, "Accept: application/json");
    if (!hd2)
        goto fail;
    hd = hd2;
    hd2 = curl_slist_append(hd, "Expect:"); /* no 100-continue round trip on big batches */
    if (!hd2)
        goto fail;
    hd = hd2;
    int bad = 0;
    bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, t) != CURLE_OK;
    if (bad)
        goto fail;
    t->curl = h;
    t->headers = hd;
    return RPC_OK;
fail:
    curl_slist_free_all(hd);
    if (h)
        curl_easy_cleanup(h);
    rpc_sbuf_free(&t->resp);
    memset(t, 0, sizeof *t);
    return RPC_ENOMEM;
}

void rpc_transport_free(rpc_transport *t)
{
    if (t->curl)
        curl_easy_cleanup(t->curl);
    curl_slist_free_all(t->headers);
    rpc_sbuf_free(&t->resp);
    memset(t, 0, sizeof *t);
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int rpc_transport_post(rpc_transport *t, rpc_http_result *res, const char *body, size_t len)
{
    CURL *h = t->curl;
    memset(res, 0, sizeof *res);
    res->retry_after_ms = -1;
    rpc_sbuf_reset(&t->resp);
    t->too_large = false;
    if (curl_easy_setopt(h, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) != CURLE_OK)
        return RPC_ENOMEM;

    uint64_t t0 = now_us();
    CURLcode cc = curl_easy_perform(h);
    res->latency_us = now_us() - t0;

    curl_off_t down = 0;
    long l = 0;
    if (curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &down) == CURLE_OK && down > 0)
        res->bytes_in += (uint64_t)down;
    if (curl_easy_getinfo(h, CURLINFO_HEADER_SIZE, &l) == CURLE_OK && l > 0)
        res->bytes_in += (uint64_t)l;
    if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &l) == CURLE_OK && l > 0)
        res->bytes_out += (uint64_t)l;
    res->bytes_out += len;

    if (cc != CURLE_OK) {
        snprintf(res->what, sizeof res->what, "%s", curl_easy_strerror(cc));
        if (t->too_large)
            return RPC_ETOO_LARGE;
        if (cc == CURLE_OPERATION_TIMEDOUT)
            return RPC_ETIMEOUT;
        if (cc == CURLE_OUT_OF_MEMORY)
            return RPC_ENOMEM;
        return RPC_ECONNECT; /* refused, reset, closed mid-body, TLS, DNS... */
    }
    long status = 0;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    res->status = status;
    curl_off_t ra = 0;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0) {
        /* seconds (curl also turns an HTTP-date into seconds from now); 0 = absent */
        res->retry_after_ms = ra > 86400 ? 86400000L : (long)ra * 1000L;
    }
    return RPC_OK;
}
