/*
 * Smoke test of the wsusdiag C API, written as a C caller would use it.
 *
 *   smoke CLIENT_LOG SERVER_LOG
 *
 * Built with -std=c11 -Wall -Wextra -Werror against include/wsusdiag.h, linked to the shared
 * and to the static library, and run under AddressSanitizer and valgrind by scripts/test-ffi.
 * Prints each failed check and ends with "N passed, M failed"; exits 0 only if all passed.
 * Built with -DWSUSDIAG_SMOKE_LEAK it leaks on purpose (the canary for the leak checkers).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsusdiag.h"

/* The test hook: exported only by a library built with the `test-hooks` feature, deliberately
 * not in the header. Compiled against a library that ships (the Windows zip's), define
 * WSUSDIAG_SHIPPED_LIBRARY: the panic check is then left out. */
#ifndef WSUSDIAG_SHIPPED_LIBRARY
extern wsusdiag_result wsusdiag_test_panic(const uint8_t *message, size_t len);
#endif

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            failed++;                                                                \
            fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                            \
    } while (0)

#define CHECK_RC(expr, want)                                                         \
    do {                                                                             \
        wsusdiag_result rc_ = (expr);                                                \
        if (rc_ == (want)) {                                                         \
            passed++;                                                                \
        } else {                                                                     \
            char msg_[512];                                                          \
            size_t n_ = 0;                                                           \
            wsusdiag_last_error_message((uint8_t *)msg_, sizeof msg_, &n_);          \
            failed++;                                                                \
            fprintf(stderr, "FAILED %s:%d: %s gave %s, wanted %s (%s)\n", __FILE__,  \
                    __LINE__, #expr, wsusdiag_result_name(rc_),                      \
                    wsusdiag_result_name(want), msg_);                               \
        }                                                                            \
    } while (0)

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* The thread's last error, into a static buffer. */
static const char *last_error(void) {
    static char buf[1024];
    size_t n = 0;
    if (wsusdiag_last_error_message((uint8_t *)buf, sizeof buf, &n) != WSUSDIAG_RESULT_OK) {
        return "(no last error)";
    }
    return buf;
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    uint8_t *data = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *more = realloc(data, cap);
            if (!more) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = more;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        if (got == 0) {
            break;
        }
        n += got;
    }
    fclose(f);
    *len = n;
    return data;
}

static int str_eq(wsusdiag_str s, const char *want) {
    return s.ptr != NULL && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

/* Whether the JSON text has `"key": value` somewhere (any spacing around the colon). */
static int json_has(const char *json, const char *key, const char *value) {
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    for (const char *p = strstr(json, quoted); p != NULL; p = strstr(p + 1, quoted)) {
        const char *v = p + strlen(quoted);
        while (*v == ' ' || *v == '\n') {
            v++;
        }
        if (*v++ != ':') {
            continue;
        }
        while (*v == ' ' || *v == '\n') {
            v++;
        }
        if (strncmp(v, value, strlen(value)) == 0) {
            return 1;
        }
    }
    return 0;
}

static void check_version(void) {
    const char *v = wsusdiag_version();
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", WSUSDIAG_VERSION_MAJOR, WSUSDIAG_VERSION_MINOR,
             WSUSDIAG_VERSION_PATCH);
    CHECK(v != NULL && strcmp(v, want) == 0);
    CHECK(strcmp(v, WSUSDIAG_VERSION) == 0);
    CHECK(strcmp(wsusdiag_result_name(WSUSDIAG_RESULT_NOT_FOUND), "WSUSDIAG_RESULT_NOT_FOUND") == 0);
    CHECK(strcmp(wsusdiag_result_name(12345), "WSUSDIAG_RESULT_UNKNOWN") == 0);
}

static void check_json(wsusdiag_diagnosis *d) {
    uint8_t *json = NULL;
    size_t len = 0;
    CHECK_RC(wsusdiag_diagnosis_to_json(d, &json, &len), WSUSDIAG_RESULT_OK);
    CHECK(json != NULL && len > 0 && json[len] == 0);
    if (json) {
        const char *j = (const char *)json;
        CHECK(json_has(j, "schema_version", "2"));
        CHECK(json_has(j, "hresult", "\"0x8024400E\""));
        CHECK(json_has(j, "correlation", "\"fault-id\""));
        CHECK(json_has(j, "name", "\"WU_E_PT_SOAP_SERVER\""));
    }
    wsusdiag_buffer_free(json, len);

    uint8_t *text = NULL;
    CHECK_RC(wsusdiag_diagnosis_to_text(d, &text, &len), WSUSDIAG_RESULT_OK);
    CHECK(text != NULL && strlen((const char *)text) == len);
    wsusdiag_buffer_free(text, len);

    uint8_t *html = NULL;
    CHECK_RC(wsusdiag_diagnosis_to_html(d, &html, &len), WSUSDIAG_RESULT_OK);
    CHECK(html != NULL && strlen((const char *)html) == len);
    if (html) {
        CHECK(strncmp((const char *)html, "<!DOCTYPE html>", 15) == 0);
        CHECK(strstr((const char *)html, "KB954960") != NULL);
    }
    wsusdiag_buffer_free(html, len);

    bool has_faults = false;
    CHECK_RC(wsusdiag_diagnosis_has_faults(d, &has_faults), WSUSDIAG_RESULT_OK);
    CHECK(has_faults);
}

static void check_diagnose_files(const char *client, const char *server) {
    /* NUL-separated list: "client\0server". */
    size_t lc = strlen(client), ls = strlen(server);
    uint8_t *list = malloc(lc + 1 + ls);
    memcpy(list, client, lc);
    list[lc] = 0;
    memcpy(list + lc + 1, server, ls);

    wsusdiag_diagnosis *d = NULL;
    CHECK_RC(wsusdiag_diagnose_files(list, lc + 1 + ls, NULL, 0, &d), WSUSDIAG_RESULT_OK);
    free(list);
    CHECK(d != NULL);
    if (d) {
        check_json(d);
    }
    wsusdiag_diagnosis_free(d);
}

static void check_diagnose_buffers(const char *client, const char *server) {
    size_t lc = 0, ls = 0;
    uint8_t *c = read_file(client, &lc);
    uint8_t *s = read_file(server, &ls);
    CHECK(c != NULL && s != NULL);
    if (!c || !s) {
        free(c);
        free(s);
        return;
    }
    uint8_t *data = malloc(lc + ls);
    memcpy(data, c, lc);
    memcpy(data + lc, s, ls);
    size_t lengths[2] = {lc, ls};
    static const char names[] = "client.log\0server.log";

    wsusdiag_diagnosis *d = NULL;
    CHECK_RC(wsusdiag_diagnose_buffers(data, lc + ls, lengths, 2, u8(names), sizeof names - 1,
                                       NULL, 0, &d),
             WSUSDIAG_RESULT_OK);
    if (d) {
        check_json(d);
    }
    wsusdiag_diagnosis_free(d);

    /* Lengths that do not add up: refused, output untouched. */
    lengths[1] = ls + 1;
    d = (wsusdiag_diagnosis *)&lengths;
    CHECK_RC(wsusdiag_diagnose_buffers(data, lc + ls, lengths, 2, NULL, 0, NULL, 0, &d),
             WSUSDIAG_RESULT_INVALID_ARGUMENT);
    CHECK(d == (wsusdiag_diagnosis *)&lengths);

    /* The record reader copies its buffer: free ours right away. */
    wsusdiag_log_reader *reader = NULL;
    CHECK_RC(wsusdiag_log_from_buffer(u8("server.log"), 10, s, ls, &reader), WSUSDIAG_RESULT_OK);
    free(data);
    free(c);
    free(s);
    wsusdiag_log_kind kind = WSUSDIAG_LOG_KIND_CLIENT_CLASSIC;
    CHECK_RC(wsusdiag_log_reader_kind(reader, &kind), WSUSDIAG_RESULT_OK);
    CHECK(kind == WSUSDIAG_LOG_KIND_SERVER);
    wsusdiag_record row;
    int rows = 0, traces = 0;
    wsusdiag_result rc;
    while ((rc = wsusdiag_log_reader_next(reader, &row)) == WSUSDIAG_RESULT_OK) {
        rows++;
        if (row.kind == WSUSDIAG_RECORD_KIND_SERVER && row.continuation.len > 0) {
            traces++;
        }
        if (rows == 1) {
            CHECK(row.kind == WSUSDIAG_RECORD_KIND_SERVER);
            CHECK(str_eq(row.process, "WsusService"));
            CHECK(str_eq(row.level, "Info"));
            CHECK(row.thread == 20);
            CHECK(row.has_time == 1 && row.time_ms == INT64_C(1216039267781));
        }
    }
    CHECK(rc == WSUSDIAG_RESULT_END);
    CHECK(rows > 10);
    CHECK(traces > 0);
    wsusdiag_log_reader_free(reader);
}

/* The JSON of a diagnosis as a new C string (to free with free()); the diagnosis is freed. */
static char *json_of(wsusdiag_diagnosis *d) {
    uint8_t *json = NULL;
    size_t len = 0;
    char *copy = NULL;
    CHECK_RC(wsusdiag_diagnosis_to_json(d, &json, &len), WSUSDIAG_RESULT_OK);
    if (json) {
        copy = malloc(len + 1);
        memcpy(copy, json, len + 1);
    }
    wsusdiag_buffer_free(json, len);
    wsusdiag_diagnosis_free(d);
    return copy;
}

/* An analysis sent as bytes and read back, as from another machine; `a` is freed. */
static wsusdiag_analysis *sent_and_received(wsusdiag_analysis *a) {
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_RC(wsusdiag_analysis_to_bytes(a, &bytes, &len), WSUSDIAG_RESULT_OK);
    wsusdiag_analysis_free(a);
    CHECK(bytes != NULL && len > 8 && memcmp(bytes, "WSUSDIAG", 8) == 0);
    wsusdiag_analysis *back = NULL;
    CHECK_RC(wsusdiag_analysis_from_bytes(bytes, len, &back), WSUSDIAG_RESULT_OK);
    wsusdiag_buffer_free(bytes, len);
    return back;
}

/* Analyse each log alone (the client from its file, the server from memory under its path),
 * send the analyses as bytes, combine them in either order or merged: the JSON of the folder's
 * diagnosis, byte for byte. */
static void check_analyse_combine(const char *client, const char *server) {
    wsusdiag_analysis *c = NULL, *s = NULL;
    CHECK_RC(wsusdiag_analyse_files(u8(client), strlen(client), NULL, 0, &c), WSUSDIAG_RESULT_OK);
    size_t ls = 0;
    uint8_t *data = read_file(server, &ls);
    CHECK(data != NULL);
    if (data) {
        CHECK_RC(wsusdiag_analyse_buffers(data, ls, &ls, 1, u8(server), strlen(server), NULL, 0,
                                          &s),
                 WSUSDIAG_RESULT_OK);
        free(data);
    }
    if (!c || !s) {
        wsusdiag_analysis_free(c);
        wsusdiag_analysis_free(s);
        return;
    }
    c = sent_and_received(c);
    s = sent_and_received(s);

    /* The folder both logs are in, diagnosed at once. */
    size_t n = strlen(client);
    while (n > 0 && client[n - 1] != '/' && client[n - 1] != '\\') {
        n--;
    }
    wsusdiag_diagnosis *d = NULL;
    CHECK_RC(wsusdiag_diagnose_files(u8(client), n > 0 ? n - 1 : 0, NULL, 0, &d),
             WSUSDIAG_RESULT_OK);
    char *want = d ? json_of(d) : NULL;
    CHECK(want != NULL && json_has(want, "hresult", "\"0x8024400E\""));

    wsusdiag_analysis *orders[2][2] = {{c, s}, {s, c}};
    for (int i = 0; i < 2; i++) {
        d = NULL;
        CHECK_RC(wsusdiag_combine(orders[i], 2, NULL, 0, &d), WSUSDIAG_RESULT_OK);
        char *got = d ? json_of(d) : NULL;
        CHECK(want && got && strcmp(got, want) == 0);
        free(got);
    }
    /* Merged: a new analysis; the two merged are still the caller's. */
    wsusdiag_analysis *m = NULL;
    CHECK_RC(wsusdiag_analysis_merge(s, c, &m), WSUSDIAG_RESULT_OK);
    wsusdiag_analysis_free(c);
    wsusdiag_analysis_free(s);
    wsusdiag_analysis *one[1] = {m};
    d = NULL;
    CHECK_RC(wsusdiag_combine(one, 1, NULL, 0, &d), WSUSDIAG_RESULT_OK);
    char *got = d ? json_of(d) : NULL;
    CHECK(want && got && strcmp(got, want) == 0);
    free(got);
    free(want);

    /* Bytes that are no analysis, a NULL in the list: refused, outputs untouched. */
    wsusdiag_analysis *bad = m;
    CHECK_RC(wsusdiag_analysis_from_bytes(u8("WSUSDIAG?"), 9, &bad),
             WSUSDIAG_RESULT_INVALID_ARGUMENT);
    CHECK(bad == m && strstr(last_error(), "not a wsusdiag analysis") != NULL);
    wsusdiag_analysis *with_null[2] = {m, NULL};
    d = (wsusdiag_diagnosis *)&bad;
    CHECK_RC(wsusdiag_combine(with_null, 2, NULL, 0, &d), WSUSDIAG_RESULT_NULL_PARAMETER);
    CHECK(d == (wsusdiag_diagnosis *)&bad);
    CHECK(strstr(last_error(), "`analyses[1]` is NULL") != NULL);
    wsusdiag_analysis_free(m);
    wsusdiag_analysis_free(NULL);
}

static void check_reader(const char *client) {
    wsusdiag_log_reader *reader = NULL;
    CHECK_RC(wsusdiag_log_open(u8(client), strlen(client), &reader), WSUSDIAG_RESULT_OK);
    if (!reader) {
        return;
    }
    wsusdiag_log_kind kind = WSUSDIAG_LOG_KIND_SERVER;
    CHECK_RC(wsusdiag_log_reader_kind(reader, &kind), WSUSDIAG_RESULT_OK);
    CHECK(kind == WSUSDIAG_LOG_KIND_CLIENT_CLASSIC);

    wsusdiag_record row;
    wsusdiag_result rc;
    int rows = 0, malformed = 0, fault_line = 0;
    while ((rc = wsusdiag_log_reader_next(reader, &row)) == WSUSDIAG_RESULT_OK) {
        rows++;
        if (row.kind == WSUSDIAG_RECORD_KIND_MALFORMED) {
            malformed++;
            continue;
        }
        if (rows == 1) {
            CHECK(row.kind == WSUSDIAG_RECORD_KIND_CLIENT);
            CHECK(row.line == 1 && row.column == 1);
            CHECK(row.pid == 1100 && row.tid == 0x7d8);
            CHECK(str_eq(row.component, "Misc"));
        }
        static const char needle[] = "SyncUpdates failure, error = 0x8024400E";
        if (fault_line == 0 && row.message.len >= sizeof needle - 1) {
            for (size_t i = 0; i + sizeof needle - 1 <= row.message.len; i++) {
                if (memcmp(row.message.ptr + i, needle, sizeof needle - 1) == 0) {
                    fault_line = (int)row.line;
                    break;
                }
            }
        }
    }
    CHECK(rc == WSUSDIAG_RESULT_END);
    CHECK(rows > 50);
    CHECK(malformed == 0);
    CHECK(fault_line == 47);
    /* After the end: END again. */
    CHECK_RC(wsusdiag_log_reader_next(reader, &row), WSUSDIAG_RESULT_END);
    wsusdiag_log_reader_free(reader);

    /* A malformed line is a row, and the iteration goes on. */
    static const char broken[] =
        "2008-07-14\t09:10:33:953\t1100\t7d8\tMisc\tfirst\n"
        "2008-07-14\t09:1x:33:953\t1100\t7d8\tMisc\tbroken header\n"
        "2008-07-14\t09:10:34:953\t1100\t7d8\tMisc\tthird\n";
    CHECK_RC(wsusdiag_log_from_buffer(NULL, 0, u8(broken), sizeof broken - 1, &reader),
             WSUSDIAG_RESULT_OK);
    int bad_line = 0, last_line = 0;
    while ((rc = wsusdiag_log_reader_next(reader, &row)) == WSUSDIAG_RESULT_OK) {
        if (row.kind == WSUSDIAG_RECORD_KIND_MALFORMED) {
            bad_line = (int)row.line;
            CHECK(str_eq(row.error, "bad-header"));
            CHECK(row.column > 1 && row.text.len > 0);
        } else {
            last_line = (int)row.line;
        }
    }
    CHECK(rc == WSUSDIAG_RESULT_END);
    CHECK(bad_line == 2);
    CHECK(last_line == 3);
    wsusdiag_log_reader_free(reader);
}

static void check_hresult(void) {
    static const char *forms[] = {"0x8024400E", "8024400E", "2149859342"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        uint8_t *json = NULL;
        size_t len = 0;
        CHECK_RC(wsusdiag_hresult_lookup(u8(forms[i]), strlen(forms[i]), &json, &len),
                 WSUSDIAG_RESULT_OK);
        CHECK(json && strstr((const char *)json, "\"WU_E_PT_SOAP_SERVER\"") != NULL);
#ifdef WSUSDIAG_SMOKE_LEAK
        /* Canary build: leaks these buffers on purpose, so that scripts/test-ffi can show that
         * valgrind and LeakSanitizer do catch a leak. */
        if (i > 0)
#endif
        wsusdiag_buffer_free(json, len);
    }
    uint8_t *json = NULL;
    size_t len = 0;
    CHECK_RC(wsusdiag_hresult_lookup(u8("not a code"), 10, &json, &len),
             WSUSDIAG_RESULT_INVALID_ARGUMENT);
    CHECK(json == NULL && len == 0);
}

static void check_errors(void) {
    static const char missing[] = "/nonexistent/wsusdiag/WindowsUpdate.log";
    wsusdiag_diagnosis *d = NULL;
    CHECK_RC(wsusdiag_diagnose_files(u8(missing), strlen(missing), NULL, 0, &d),
             WSUSDIAG_RESULT_NOT_FOUND);
    CHECK(d == NULL);
    CHECK(strncmp(last_error(), missing, strlen(missing)) == 0);

    /* The full length is reported whatever the buffer; the cut is NUL-terminated. */
    size_t full = 0, n = 0;
    CHECK_RC(wsusdiag_last_error_message(NULL, 0, &full), WSUSDIAG_RESULT_OK);
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK_RC(wsusdiag_last_error_message((uint8_t *)small, sizeof small, &n),
             WSUSDIAG_RESULT_OK);
    CHECK(n == full && n > sizeof small);
    CHECK(small[7] == 0 && strncmp(small, missing, 7) == 0);

    wsusdiag_log_reader *reader = NULL;
    CHECK_RC(wsusdiag_log_open(u8(missing), strlen(missing), &reader), WSUSDIAG_RESULT_NOT_FOUND);
    CHECK(reader == NULL);

    static const uint8_t bad_utf8[] = {'a', 0xff, '.', 'l', 'o', 'g'};
    CHECK_RC(wsusdiag_log_open(bad_utf8, sizeof bad_utf8, &reader), WSUSDIAG_RESULT_INVALID_UTF8);
    CHECK_RC(wsusdiag_log_open(NULL, 4, &reader), WSUSDIAG_RESULT_NULL_PARAMETER);
    CHECK(strstr(last_error(), "`path` is NULL") != NULL);
    CHECK_RC(wsusdiag_log_open(u8(missing), strlen(missing), NULL), WSUSDIAG_RESULT_NULL_PARAMETER);
    CHECK_RC(wsusdiag_diagnosis_to_json(NULL, NULL, NULL), WSUSDIAG_RESULT_NULL_PARAMETER);
    CHECK_RC(wsusdiag_diagnosis_to_html(NULL, NULL, NULL), WSUSDIAG_RESULT_NULL_PARAMETER);
    CHECK_RC(wsusdiag_log_reader_next(NULL, NULL), WSUSDIAG_RESULT_NULL_PARAMETER);

    /* A success clears the last error. */
    uint8_t *json = NULL;
    CHECK_RC(wsusdiag_hresult_lookup(u8("0x80072EE2"), 10, &json, &n), WSUSDIAG_RESULT_OK);
    wsusdiag_buffer_free(json, n);
    CHECK_RC(wsusdiag_last_error_message(NULL, 0, &full), WSUSDIAG_RESULT_OK);
    CHECK(full == 0);

    /* Every _free accepts NULL. */
    wsusdiag_diagnosis_free(NULL);
    wsusdiag_log_reader_free(NULL);
    wsusdiag_buffer_free(NULL, 0);
    passed++;
}

#ifndef WSUSDIAG_SHIPPED_LIBRARY
static void check_panic(void) {
    static const char msg[] = "boom from smoke.c";
    fprintf(stderr, "smoke: the panic message below is expected\n");
    CHECK_RC(wsusdiag_test_panic(u8(msg), sizeof msg - 1), WSUSDIAG_RESULT_PANIC);
    CHECK(strstr(last_error(), msg) != NULL);
}
#endif

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CLIENT_LOG SERVER_LOG\n", argv[0]);
        return 2;
    }
    check_version();
    check_diagnose_files(argv[1], argv[2]);
    check_diagnose_buffers(argv[1], argv[2]);
    check_analyse_combine(argv[1], argv[2]);
    check_reader(argv[1]);
    check_hresult();
    check_errors();
#ifndef WSUSDIAG_SHIPPED_LIBRARY
    check_panic();
#endif
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
