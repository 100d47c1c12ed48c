/* bench/replay.c — the lower bound: replays the exact HTTP request bodies whaletrack sent
 * (recorded by prog_faultproxy --record) with a bare libcurl loop over one reused connection,
 * reading each answer and doing nothing with it. Invariant: the same bodies, in the same
 * order, one at a time, as whaletrack sent them; prints one JSON object on stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    *(size_t *)ud += sz * n;
    return sz * n;
}

/* next_body: the next "<length>\n<body>\n" record of f into *buf (grown as needed).
 * Returns 1 with *len set, 0 at the end, -1 on a malformed file. */
static int next_body(FILE *f, char **buf, size_t *cap, size_t *len)
{
    char line[32];
    if (!fgets(line, sizeof line, f))
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(line, &end, 10);
    if (errno || end == line || *end != '\n' || n > (1ull << 30))
        return -1;
    if (n + 1 > *cap) {
        char *p = realloc(*buf, n + 1);
        if (!p)
            return -1;
        *buf = p;
        *cap = n + 1;
    }
    if (fread(*buf, 1, n, f) != n || fgetc(f) != '\n')
        return -1;
    (*buf)[n] = '\0';
    *len = n;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3 || !strncmp(argv[1], "--", 2)) {
        fputs("usage: replay URL RECORDING\n"
              "POSTs every recorded body to URL over one connection; prints the time taken.\n",
              argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
    }
    int rc = 1;
    char *buf = NULL;
    size_t cap = 0, len = 0, bytes_in = 0, bytes_out = 0, requests = 0, with_call = 0;
    double call_secs = 0; /* time in requests that carry eth_call (state reads) */
    struct curl_slist *hd = NULL;
    CURL *h = NULL;
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        fprintf(stderr, "replay: cannot read %s\n", argv[2]);
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(h = curl_easy_init()) ||
        !(hd = curl_slist_append(NULL, "Content-Type: application/json")))
        goto done;
    curl_easy_setopt(h, CURLOPT_URL, argv[1]);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes_in);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r;
    while ((r = next_body(f, &buf, &cap, &len)) == 1) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, buf);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
        struct timespec r0, r1;
        clock_gettime(CLOCK_MONOTONIC, &r0);
        CURLcode cc = curl_easy_perform(h);
        clock_gettime(CLOCK_MONOTONIC, &r1);
        if (strstr(buf, "\"eth_call\"")) {
            with_call++;
            call_secs += (double)(r1.tv_sec - r0.tv_sec) + (double)(r1.tv_nsec - r0.tv_nsec) / 1e9;
        }
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (cc != CURLE_OK || status != 200) {
            fprintf(stderr, "replay: request %zu: %s (HTTP %ld)\n", requests + 1,
                    curl_easy_strerror(cc), status);
            goto done;
        }
        requests++;
        bytes_out += len;
    }
    if (r < 0) {
        fprintf(stderr, "replay: %s is malformed after %zu requests\n", argv[2], requests);
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"requests\": %zu, \"seconds\": %.3f, \"bytes_out\": %zu, \"bytes_in\": %zu, "
           "\"requests_with_eth_call\": %zu, \"eth_call_seconds\": %.3f}\n",
           requests, secs, bytes_out, bytes_in, with_call, call_secs);
    rc = 0;
done:
    fclose(f);
    free(buf);
    curl_slist_free_all(hd);
    if (h)
        curl_easy_cleanup(h);
    curl_global_cleanup();
    return rc;
}
