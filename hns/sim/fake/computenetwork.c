/*
 * Fake computenetwork.dll / libcomputenetwork.so.
 *
 * Exports every Hcn* function of the real computenetwork.dll (plus v1 HNSCall and, on Linux,
 * CoTaskMemFree) with the real signatures, and forwards each call to the simulator's loopback
 * server (`hns-sim serve`) at NAT_CNI_HNS_SIM_ADDR over the sim wire protocol (one TCP connection
 * per call, length-prefixed UTF-8 fields). The point is to run the real FFI code, and under Wine the
 * real nat.exe, against the simulator; so this library is deliberately strict about its arguments:
 * anything that would only happen with a wrong FFI declaration fails loudly on stderr
 * ("fake computenetwork: <fn>: ...") with E_POINTER / E_INVALIDARG.
 *
 * Out-parameter protocol as the real DLL (hcsshim hcn/zsyscall_windows.go callers, interop.ConvertAndFreeCoTaskMemString): every out pointer is set to NULL
 * at entry, ErrorRecord may be NULL, result strings are non-NULL on success; strings are allocated
 * with CoTaskMemAlloc on Windows (the caller frees them with ole32's CoTaskMemFree) and with malloc
 * on Linux (freed through the CoTaskMemFree exported here). FakeHcnOutstanding() counts what is
 * still allocated / open so tests can prove the caller frees and closes everything.
 */

#ifdef _WIN32
#define __USE_MINGW_ANSI_STDIO 1 /* %zu, %llu */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601
#endif
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <objbase.h>
#else
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ */
/* Portability layer                                                                                */

#ifdef _WIN32
#define API(ret) __declspec(dllexport) ret WINAPI
#define CALLBACK_CONV WINAPI
typedef SOCKET sock_t;
#define BAD_SOCKET INVALID_SOCKET
#define close_socket closesocket
#define SEND_FLAGS 0
static SRWLOCK g_lock = SRWLOCK_INIT;
static void lock(void) { AcquireSRWLockExclusive(&g_lock); }
static void unlock(void) { ReleaseSRWLockExclusive(&g_lock); }
#else
#define API(ret) __attribute__((visibility("default"))) ret
#define CALLBACK_CONV
typedef int sock_t;
#define BAD_SOCKET (-1)
#define close_socket close
/* Node ignores SIGPIPE, other hosts may not: a server that hangs up early must not kill the caller. */
#define SEND_FLAGS MSG_NOSIGNAL
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static void lock(void) { pthread_mutex_lock(&g_lock); }
static void unlock(void) { pthread_mutex_unlock(&g_lock); }
/* A caller that has child processes (a Node program spawning plugins) gets SIGCHLD at any moment:
 * a socket call it interrupts fails with EINTR and must simply be made again. */
#define INTERRUPTED() (errno == EINTR)
#endif
#ifdef _WIN32
#define INTERRUPTED() 0
#endif

typedef int32_t HR;
typedef uint16_t WCH; /* UTF-16 code unit: wchar_t is 4 bytes on Linux */

typedef struct {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} FAKE_GUID;

typedef void (CALLBACK_CONV *FAKE_NOTIFICATION_CALLBACK)(uint32_t type, void *context, HR status,
                                                          const WCH *data);

/* Only ever passed around by pointer here: the fake never reports port reservations. */
typedef struct {
    uint16_t startingPort;
    uint16_t endingPort;
} FAKE_PORT_RANGE_RESERVATION;
typedef struct FAKE_PORT_RANGE_ENTRY FAKE_PORT_RANGE_ENTRY;

#define S_OK_ 0
#define E_NOTIMPL_ ((HR)0x80004001u)
#define E_POINTER_ ((HR)0x80004003u)
#define E_UNEXPECTED_ ((HR)0x8000FFFFu)
#define E_OUTOFMEMORY_ ((HR)0x8007000Eu)
#define E_INVALIDARG_ ((HR)0x80070057u)
#define HR_RPC_S_SERVER_UNAVAILABLE ((HR)0x800706BAu)
#define HR_ERROR_TIMEOUT ((HR)0x800705B4u)

/* "Absurd length": no caller passes 16 MiB of JSON; a missing NUL means a wrong declaration. */
#define MAX_STRING_BYTES (16u << 20)
#define MAX_RESPONSE_BYTES (256u << 20)
#define MAX_OUTS 4
#define RECV_TIMEOUT_SECONDS 120

static void loud(const char *fn, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fake computenetwork: %s: ", fn);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* ------------------------------------------------------------------------------------------------ */
/* Out-strings: allocated here, freed by the caller through CoTaskMemFree, counted for tests.        */

#ifdef _WIN32
static WCH *string_alloc(size_t units) { return (WCH *)CoTaskMemAlloc(units * sizeof(WCH)); }
#else
/* The live allocations are kept in a list so that CoTaskMemFree can refuse (loudly) a pointer it
 * did not hand out, e.g. a double free, without dereferencing it. */
struct live_string {
    struct live_string *next;
    WCH data[];
};
static struct live_string *g_strings;
static int64_t g_string_count;

static WCH *string_alloc(size_t units)
{
    struct live_string *s = malloc(sizeof *s + units * sizeof(WCH));
    if (!s) return NULL;
    lock();
    s->next = g_strings;
    g_strings = s;
    g_string_count++;
    unlock();
    return s->data;
}

API(void) CoTaskMemFree(void *pv)
{
    struct live_string **pp, *found = NULL;
    if (!pv) return;
    lock();
    for (pp = &g_strings; *pp; pp = &(*pp)->next) {
        if ((void *)(*pp)->data == pv) {
            found = *pp;
            *pp = found->next;
            g_string_count--;
            break;
        }
    }
    unlock();
    if (!found) {
        loud("CoTaskMemFree", "%p was not allocated by this library or was already freed", pv);
        return;
    }
    free(found);
}
#endif

static void string_free(WCH *s) { CoTaskMemFree(s); }

/* ------------------------------------------------------------------------------------------------ */
/* Handles: the server allocates its own ids; callers get a local token so that a handle this        */
/* library never returned (or already closed, or of another kind) is recognised without touching it. */

enum kind { K_NETWORK, K_ENDPOINT, K_NAMESPACE, K_LOADBALANCER, K_SDNROUTE, K_GUESTNETWORKSERVICE,
            K_CALLBACK, K_PORTRESERVATION };
static const char *const kind_names[] = { "network", "endpoint", "namespace", "load balancer",
                                          "SDN route", "guest network service", "callback",
                                          "port reservation" };

struct handle {
    struct handle *next;
    uint64_t remote;
    enum kind kind;
};
static struct handle *g_handles;
static int64_t g_handle_count;

static void *handle_new(enum kind kind, uint64_t remote)
{
    struct handle *h = malloc(sizeof *h);
    if (!h) return NULL;
    h->remote = remote;
    h->kind = kind;
    lock();
    h->next = g_handles;
    g_handles = h;
    g_handle_count++;
    unlock();
    return h;
}

/* 0: found (remote id set); 1: unknown; 2: wrong kind (actual kind in *actual). */
static int handle_lookup(const void *token, enum kind kind, uint64_t *remote, enum kind *actual, int remove)
{
    struct handle **pp, *h;
    int rc = 1;
    lock();
    for (pp = &g_handles; *pp; pp = &(*pp)->next) {
        if ((void *)*pp != token) continue;
        h = *pp;
        if (h->kind != kind) {
            *actual = h->kind;
            rc = 2;
            break;
        }
        *remote = h->remote;
        rc = 0;
        if (remove) {
            *pp = h->next;
            g_handle_count--;
            free(h);
        }
        break;
    }
    unlock();
    return rc;
}

API(int32_t) FakeHcnOutstanding(int64_t *strings, int64_t *handles)
{
    lock();
#ifdef _WIN32
    /* Windows callers free with ole32's CoTaskMemFree, which this library cannot observe. */
    if (strings) *strings = -1;
#else
    if (strings) *strings = g_string_count;
#endif
    if (handles) *handles = g_handle_count;
    unlock();
    return S_OK_;
}

/* ------------------------------------------------------------------------------------------------ */
/* UTF-16 <-> UTF-8                                                                                  */

/* NULL in gives NULL out. Rejects unpaired surrogates and strings without a NUL within the limit. */
static HR utf16_to_utf8(const char *fn, const char *param, const WCH *s, char **out)
{
    size_t n = 0, i, bytes = 0;
    char *p;
    *out = NULL;
    if (!s) return S_OK_;
    while (s[n]) {
        if (++n >= MAX_STRING_BYTES / sizeof(WCH)) {
            loud(fn, "%s: no terminating NUL within %u bytes (not a UTF-16 string?)", param, MAX_STRING_BYTES);
            return E_INVALIDARG_;
        }
    }
    for (i = 0; i < n; i++) {
        WCH c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF) {
            if (i + 1 >= n || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF) {
                loud(fn, "%s: unpaired high surrogate 0x%04X at code unit %zu", param, c, i);
                return E_INVALIDARG_;
            }
            bytes += 4;
            i++;
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            loud(fn, "%s: unpaired low surrogate 0x%04X at code unit %zu", param, c, i);
            return E_INVALIDARG_;
        } else {
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
    }
    p = malloc(bytes + 1);
    if (!p) return E_OUTOFMEMORY_;
    *out = p;
    for (i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
        }
        if (c < 0x80) {
            *p++ = (char)c;
        } else if (c < 0x800) {
            *p++ = (char)(0xC0 | (c >> 6));
            *p++ = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *p++ = (char)(0xE0 | (c >> 12));
            *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        } else {
            *p++ = (char)(0xF0 | (c >> 18));
            *p++ = (char)(0x80 | ((c >> 12) & 0x3F));
            *p++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *p++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *p = 0;
    return S_OK_;
}

/* Decodes one code point; returns its length or 0 when the UTF-8 is invalid (overlong, surrogate,
 * out of range, truncated). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    uint32_t c;
    size_t n, i;
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    if ((s[0] & 0xE0) == 0xC0) { c = s[0] & 0x1F; n = 2; }
    else if ((s[0] & 0xF0) == 0xE0) { c = s[0] & 0x0F; n = 3; }
    else if ((s[0] & 0xF8) == 0xF0) { c = s[0] & 0x07; n = 4; }
    else return 0;
    if (n > len) return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000)) return 0;
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return n;
}

/* Validates the whole field first so that nothing is allocated (and counted) for bad input. */
static HR utf8_to_utf16(const char *fn, const char *data, size_t len, WCH **out)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0, units = 0, k;
    uint32_t cp;
    WCH *w;
    *out = NULL;
    while (i < len) {
        k = utf8_decode(s + i, len - i, &cp);
        if (!k || cp == 0) {
            loud(fn, "server sent %s at byte %zu of a string", k ? "a NUL" : "invalid UTF-8", i);
            return E_UNEXPECTED_;
        }
        units += cp >= 0x10000 ? 2 : 1;
        i += k;
    }
    w = string_alloc(units + 1);
    if (!w) return E_OUTOFMEMORY_;
    for (i = 0, units = 0; i < len; i += k) {
        k = utf8_decode(s + i, len - i, &cp);
        if (cp >= 0x10000) {
            w[units++] = (WCH)(0xD800 + ((cp - 0x10000) >> 10));
            w[units++] = (WCH)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            w[units++] = (WCH)cp;
        }
    }
    w[units] = 0;
    *out = w;
    return S_OK_;
}

static WCH *ascii_to_utf16(const char *s)
{
    size_t n = strlen(s), i;
    WCH *w = string_alloc(n + 1);
    if (!w) return NULL;
    for (i = 0; i <= n; i++) w[i] = (WCH)(unsigned char)s[i];
    return w;
}

/* ErrorRecord JSON for failures produced here, in the shape HNS uses (as antrea-io/antrea#2301 and kubernetes/kubernetes#100962 quote it). */
static WCH *error_record(HR hr, const char *message)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"Success\":false,\"Error\":\"%s\",\"ErrorCode\":%lu}", message,
             (unsigned long)(uint32_t)hr);
    return ascii_to_utf16(buf);
}

/* ------------------------------------------------------------------------------------------------ */
/* Wire protocol                                                                                     */

struct buf {
    char *p;
    size_t len, cap;
};

static int buf_put(struct buf *b, const void *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap < b->len + n + 1) cap *= 2;
        p = realloc(b->p, cap);
        if (!p) return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
    return 0;
}

/* `<n>:<n bytes>,` or `-1:,` for NULL. */
static int buf_field(struct buf *b, const char *s)
{
    char head[32];
    size_t n = s ? strlen(s) : 0;
    int k = s ? snprintf(head, sizeof head, "%zu:", n) : snprintf(head, sizeof head, "-1:");
    return buf_put(b, head, (size_t)k) || (s && buf_put(b, s, n)) || buf_put(b, ",", 1) ? -1 : 0;
}

struct field {
    const char *data; /* NULL for a NULL field */
    size_t len;
};

struct response {
    struct buf raw;
    HR hr;
    size_t outc;
    struct field out[MAX_OUTS];
};

/* Parses one field at *pos; 0 on success. */
static int parse_field(const struct buf *b, size_t *pos, struct field *f)
{
    size_t i = *pos, n = 0, digits = 0;
    if (b->len - i >= 4 && memcmp(b->p + i, "-1:,", 4) == 0) {
        f->data = NULL;
        f->len = 0;
        *pos = i + 4;
        return 0;
    }
    while (i < b->len && b->p[i] >= '0' && b->p[i] <= '9') {
        if (++digits > 10) return -1;
        n = n * 10 + (size_t)(b->p[i++] - '0');
    }
    if (!digits || i >= b->len || b->p[i] != ':') return -1;
    i++;
    if (n > b->len - i || b->len - i - n < 1 || b->p[i + n] != ',') return -1;
    f->data = b->p + i;
    f->len = n;
    *pos = i + n + 1;
    return 0;
}

/* Parses a decimal integer field within [min, max]; 0 on success. */
static int field_int(const struct field *f, long long min, long long max, long long *value)
{
    char tmp[24], *end;
    long long v;
    if (!f->data || f->len == 0 || f->len >= sizeof tmp) return -1;
    memcpy(tmp, f->data, f->len);
    tmp[f->len] = 0;
    if (!(tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9'))) return -1;
    v = strtoll(tmp, &end, 10);
    if (*end || v < min || v > max) return -1;
    *value = v;
    return 0;
}

static HR parse_response(const char *fn, struct response *r)
{
    size_t pos = 0, i;
    long long v;
    struct field f;
    if (parse_field(&r->raw, &pos, &f) || field_int(&f, INT32_MIN, INT32_MAX, &v)) {
        loud(fn, "malformed response from the simulator (HRESULT field)");
        return E_UNEXPECTED_;
    }
    r->hr = (HR)v;
    if (parse_field(&r->raw, &pos, &f) || field_int(&f, 0, MAX_OUTS, &v)) {
        loud(fn, "malformed response from the simulator (outc field, at most %d)", MAX_OUTS);
        return E_UNEXPECTED_;
    }
    r->outc = (size_t)v;
    for (i = 0; i < r->outc; i++) {
        if (parse_field(&r->raw, &pos, &r->out[i])) {
            loud(fn, "malformed response from the simulator (out field %zu)", i);
            return E_UNEXPECTED_;
        }
    }
    if (pos != r->raw.len) {
        loud(fn, "malformed response from the simulator (%zu trailing bytes)", r->raw.len - pos);
        return E_UNEXPECTED_;
    }
    return S_OK_;
}

#ifdef _WIN32
static int g_wsa_ready;
static int net_init(void)
{
    WSADATA wsa;
    /* WSAStartup is reference counted; racing threads at worst take one extra reference. */
    if (g_wsa_ready) return 0;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return -1;
    g_wsa_ready = 1;
    return 0;
}
#else
static int net_init(void) { return 0; }
#endif

/* connect() interrupted by a signal goes on in the background: wait for it and read its outcome. */
static int connect_retrying(sock_t s, const struct sockaddr *addr, int len)
{
    if (connect(s, addr, len) == 0) return 0;
#ifndef _WIN32
    if (INTERRUPTED()) {
        fd_set w;
        int err = 0;
        socklen_t errlen = sizeof err;
        int k;
        do {
            FD_ZERO(&w);
            FD_SET(s, &w);
            k = select(s + 1, NULL, &w, NULL, NULL);
        } while (k < 0 && INTERRUPTED());
        if (k == 1 && getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &errlen) == 0 && err == 0) return 0;
    }
#endif
    return -1;
}

static sock_t connect_to_simulator(const char *fn)
{
    const char *addr = getenv("NAT_CNI_HNS_SIM_ADDR");
    const char *colon;
    char host[256];
    struct addrinfo hints, *res = NULL, *ai;
    sock_t s = BAD_SOCKET;
    if (!addr || !*addr) {
        loud(fn, "NAT_CNI_HNS_SIM_ADDR is not set; answering as a stopped HNS service");
        return BAD_SOCKET;
    }
    colon = strrchr(addr, ':');
    if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof host || !colon[1]) {
        loud(fn, "NAT_CNI_HNS_SIM_ADDR=%s is not HOST:PORT", addr);
        return BAD_SOCKET;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = 0;
    if (net_init()) return BAD_SOCKET;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0) return BAD_SOCKET;
    for (ai = res; ai; ai = ai->ai_next) {
        s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s == BAD_SOCKET) continue;
        if (connect_retrying(s, ai->ai_addr, (int)ai->ai_addrlen) == 0) break;
        close_socket(s);
        s = BAD_SOCKET;
    }
    freeaddrinfo(res);
    return s;
}

static void set_receive_timeout(sock_t s)
{
#ifdef _WIN32
    DWORD ms = RECV_TIMEOUT_SECONDS * 1000;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms);
#else
    struct timeval tv = { RECV_TIMEOUT_SECONDS, 0 };
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
#endif
}

/* One connection per call: connect, send, shut down the write side, read to EOF. A server that
 * cannot be reached is reported as RPC_S_SERVER_UNAVAILABLE: inferred, that is how a client sees a
 * stopped HNS service (the HCN calls are RPCs to it). */
static HR exchange(const char *fn, const struct buf *req, struct buf *resp)
{
    sock_t s = connect_to_simulator(fn);
    size_t sent = 0;
    char chunk[65536];
    HR hr = S_OK_;
    if (s == BAD_SOCKET) return HR_RPC_S_SERVER_UNAVAILABLE;
    set_receive_timeout(s);
    while (sent < req->len) {
        int k = send(s, req->p + sent, (int)(req->len - sent), SEND_FLAGS);
        if (k < 0 && INTERRUPTED()) continue;
        if (k <= 0) {
            close_socket(s);
            return HR_RPC_S_SERVER_UNAVAILABLE;
        }
        sent += (size_t)k;
    }
#ifdef _WIN32
    shutdown(s, SD_SEND);
#else
    shutdown(s, SHUT_WR);
#endif
    for (;;) {
        int k = recv(s, chunk, sizeof chunk, 0);
        if (k < 0 && INTERRUPTED()) continue;
        if (k == 0) break;
        if (k < 0) {
#ifdef _WIN32
            int timed_out = WSAGetLastError() == WSAETIMEDOUT;
#else
            int timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
#endif
            if (timed_out) {
                loud(fn, "no answer from the simulator within %d s", RECV_TIMEOUT_SECONDS);
                hr = HR_ERROR_TIMEOUT;
            } else {
                hr = HR_RPC_S_SERVER_UNAVAILABLE;
            }
            break;
        }
        if (resp->len + (size_t)k > MAX_RESPONSE_BYTES) {
            loud(fn, "response larger than %u bytes", MAX_RESPONSE_BYTES);
            hr = E_UNEXPECTED_;
            break;
        }
        if (buf_put(resp, chunk, (size_t)k)) {
            hr = E_OUTOFMEMORY_;
            break;
        }
    }
    close_socket(s);
    return hr;
}

/* ------------------------------------------------------------------------------------------------ */
/* The generic call: check arguments, forward, deliver the outputs                                   */

enum arg_type { A_GUID, A_HANDLE, A_WSTR, A_UINT };
struct arg {
    enum arg_type type;
    const char *name;
    const void *p;  /* GUID*, handle token, WCH* */
    enum kind kind; /* A_HANDLE */
    unsigned long value; /* A_UINT */
};

enum out_type {
    O_RESULT, /* result string: non-NULL on success, NULL on failure */
    O_RECORD, /* ErrorRecord: optional pointer, passed through as the server sent it */
    O_RESPONSE, /* HNSCall response: non-NULL on success, passed through on failure */
    O_HANDLE, /* handle of `kind`: set on success */
    O_U16 /* unsigned 16-bit value: set on success */
};
struct out {
    enum out_type type;
    const char *name;
    void *dst; /* WCH**, void**, uint16_t* */
    enum kind kind;
};

#define ARG_GUID(n, v) { A_GUID, n, v, K_NETWORK, 0 }
#define ARG_HANDLE(n, v, k) { A_HANDLE, n, v, k, 0 }
#define ARG_WSTR(n, v) { A_WSTR, n, v, K_NETWORK, 0 }
#define ARG_UINT(n, v) { A_UINT, n, NULL, K_NETWORK, (unsigned long)(v) }
#define OUT_(t, n, d) { t, n, (void *)(d), K_NETWORK }
#define OUT_HANDLE(n, d, k) { O_HANDLE, n, (void *)(d), k }

static void guid_text(const FAKE_GUID *g, char out[37])
{
    snprintf(out, 37, "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned long)g->Data1,
             g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2], g->Data4[3], g->Data4[4],
             g->Data4[5], g->Data4[6], g->Data4[7]);
}

static int out_optional(enum out_type t) { return t == O_RECORD; }

static void set_record(const struct out *outs, size_t outc, HR hr, const char *message)
{
    size_t i;
    for (i = 0; i < outc; i++) {
        if (outs[i].type == O_RECORD && outs[i].dst) *(WCH **)outs[i].dst = error_record(hr, message);
    }
}

static HR forward(const char *fn, size_t argc, const struct arg *args, size_t outc, const struct out *outs)
{
    char *text[8] = { 0 };
    char guids[8][37];
    size_t i;
    struct buf req = { 0 };
    struct response resp;
    void *results[MAX_OUTS] = { 0 };
    HR hr = S_OK_;
    int complete;

    for (i = 0; i < outc; i++) {
        if (!outs[i].dst) continue;
        if (outs[i].type == O_U16) *(uint16_t *)outs[i].dst = 0;
        else *(void **)outs[i].dst = NULL;
    }
    for (i = 0; i < outc; i++) {
        if (!outs[i].dst && !out_optional(outs[i].type)) {
            loud(fn, "%s: NULL out pointer", outs[i].name);
            return E_POINTER_;
        }
    }

    memset(&resp, 0, sizeof resp);
    for (i = 0; i < argc && hr >= 0; i++) {
        const struct arg *a = &args[i];
        uint64_t remote = 0;
        enum kind actual = a->kind;
        char num[24];
        switch (a->type) {
        case A_GUID:
            if (!a->p) {
                loud(fn, "%s: NULL GUID pointer", a->name);
                hr = E_POINTER_;
                break;
            }
            guid_text((const FAKE_GUID *)a->p, guids[i]);
            text[i] = guids[i];
            break;
        case A_HANDLE:
            switch (handle_lookup(a->p, a->kind, &remote, &actual, 0)) {
            case 0:
                snprintf(num, sizeof num, "%llu", (unsigned long long)remote);
                text[i] = strdup(num);
                if (!text[i]) hr = E_OUTOFMEMORY_;
                break;
            case 2:
                loud(fn, "%s: %p is a %s handle, not a %s handle", a->name, a->p, kind_names[actual],
                     kind_names[a->kind]);
                hr = E_INVALIDARG_;
                break;
            default:
                loud(fn, "%s: %p is not an open %s handle returned by this library", a->name, a->p,
                     kind_names[a->kind]);
                hr = E_INVALIDARG_;
            }
            break;
        case A_WSTR:
            hr = utf16_to_utf8(fn, a->name, (const WCH *)a->p, &text[i]);
            break;
        case A_UINT:
            snprintf(num, sizeof num, "%lu", a->value);
            text[i] = strdup(num);
            if (!text[i]) hr = E_OUTOFMEMORY_;
            break;
        }
    }
    if (hr < 0) goto done;

    {
        char count[8];
        snprintf(count, sizeof count, "%zu", argc);
        if (buf_field(&req, fn) || buf_field(&req, count)) hr = E_OUTOFMEMORY_;
        for (i = 0; i < argc && hr >= 0; i++) {
            if (buf_field(&req, text[i])) hr = E_OUTOFMEMORY_;
        }
    }
    if (hr < 0) goto done;

    hr = exchange(fn, &req, &resp.raw);
    if (hr == HR_RPC_S_SERVER_UNAVAILABLE) {
        set_record(outs, outc, hr, "The RPC server is unavailable. ");
        goto done;
    }
    if (hr < 0) {
        set_record(outs, outc, hr, "The fake computenetwork library could not talk to the simulator. ");
        goto done;
    }
    hr = parse_response(fn, &resp);
    if (hr < 0) goto done;
    hr = resp.hr;

    complete = resp.outc == outc;
    if (hr >= 0 && !complete) {
        loud(fn, "the simulator answered success with %zu out fields, expected %zu", resp.outc, outc);
        hr = E_UNEXPECTED_;
        goto done;
    }
    /* Validate everything before allocating anything, so a bad answer leaks nothing. */
    if (hr >= 0) {
        for (i = 0; i < outc; i++) {
            const struct field *f = &resp.out[i];
            long long v;
            if ((outs[i].type == O_RESULT || outs[i].type == O_RESPONSE) && !f->data) {
                loud(fn, "the simulator answered success with a NULL %s", outs[i].name);
                hr = E_UNEXPECTED_;
            } else if (outs[i].type == O_HANDLE && field_int(f, 1, INT64_MAX, &v)) {
                loud(fn, "the simulator answered success with an invalid %s handle", outs[i].name);
                hr = E_UNEXPECTED_;
            } else if (outs[i].type == O_U16 && field_int(f, 0, 65535, &v)) {
                loud(fn, "the simulator answered success with an invalid %s", outs[i].name);
                hr = E_UNEXPECTED_;
            }
        }
        if (hr < 0) goto done;
    }
    for (i = 0; i < outc && i < resp.outc; i++) {
        const struct field *f = &resp.out[i];
        enum out_type t = outs[i].type;
        int deliver = hr >= 0 || t == O_RECORD || t == O_RESPONSE;
        int is_string = t == O_RESULT || t == O_RECORD || t == O_RESPONSE;
        HR conv;
        if (!deliver || !is_string || !outs[i].dst || !f->data) continue;
        conv = utf8_to_utf16(fn, f->data, f->len, (WCH **)&results[i]);
        if (conv < 0) {
            /* Give nothing back rather than half an answer. */
            size_t j;
            for (j = 0; j < outc; j++) string_free((WCH *)results[j]);
            hr = conv;
            goto done;
        }
    }
    for (i = 0; i < outc; i++) {
        enum out_type t = outs[i].type;
        long long v = 0;
        if (!outs[i].dst) continue;
        if (t == O_HANDLE) {
            if (hr < 0) continue;
            field_int(&resp.out[i], 1, INT64_MAX, &v);
            *(void **)outs[i].dst = handle_new(outs[i].kind, (uint64_t)v);
        } else if (t == O_U16) {
            if (hr < 0) continue;
            field_int(&resp.out[i], 0, 65535, &v);
            *(uint16_t *)outs[i].dst = (uint16_t)v;
        } else {
            *(WCH **)outs[i].dst = (WCH *)results[i];
        }
    }

done:
    for (i = 0; i < argc; i++) {
        if (text[i] != guids[i]) free(text[i]);
    }
    free(req.p);
    free(resp.raw.p);
    return hr;
}

/* ------------------------------------------------------------------------------------------------ */
/* Call shapes                                                                                       */

static HR do_enumerate(const char *fn, const WCH *query, WCH **result, WCH **record)
{
    struct arg a[] = { ARG_WSTR("Query", query) };
    struct out o[] = { OUT_(O_RESULT, "result", result), OUT_(O_RECORD, "ErrorRecord", record) };
    return forward(fn, 1, a, 2, o);
}

static HR do_create(const char *fn, enum kind kind, const FAKE_GUID *id, const WCH *settings, void **h,
                    WCH **record)
{
    struct arg a[] = { ARG_GUID("Id", id), ARG_WSTR("Settings", settings) };
    struct out o[] = { OUT_HANDLE("created", h, kind), OUT_(O_RECORD, "ErrorRecord", record) };
    return forward(fn, 2, a, 2, o);
}

static HR do_open(const char *fn, enum kind kind, const FAKE_GUID *id, void **h, WCH **record)
{
    struct arg a[] = { ARG_GUID("Id", id) };
    struct out o[] = { OUT_HANDLE("opened", h, kind), OUT_(O_RECORD, "ErrorRecord", record) };
    return forward(fn, 1, a, 2, o);
}

static HR do_modify(const char *fn, enum kind kind, void *h, const WCH *settings, WCH **record)
{
    struct arg a[] = { ARG_HANDLE("handle", h, kind), ARG_WSTR("Settings", settings) };
    struct out o[] = { OUT_(O_RECORD, "ErrorRecord", record) };
    return forward(fn, 2, a, 1, o);
}

static HR do_query(const char *fn, enum kind kind, void *h, const WCH *query, WCH **result, WCH **record)
{
    struct arg a[] = { ARG_HANDLE("handle", h, kind), ARG_WSTR("Query", query) };
    struct out o[] = { OUT_(O_RESULT, "result", result), OUT_(O_RECORD, "ErrorRecord", record) };
    return forward(fn, 2, a, 2, o);
}

static HR do_delete(const char *fn, const FAKE_GUID *id, WCH **record)
{
    struct arg a[] = { ARG_GUID("Id", id) };
    struct out o[] = { OUT_(O_RECORD, "ErrorRecord", record) };
    return forward(fn, 1, a, 1, o);
}

/* The handle is gone for the caller whatever the server answers (and if the server is down). */
static HR do_close(const char *fn, enum kind kind, void *h)
{
    struct arg a[] = { ARG_HANDLE("handle", h, kind) };
    uint64_t remote;
    enum kind actual;
    HR hr = forward(fn, 1, a, 0, NULL);
    handle_lookup(h, kind, &remote, &actual, 1); /* no-op when forward refused an unknown handle */
    return hr;
}

#define HCN_FAMILY(Sing, Plural, KIND)                                                                  \
    API(HR) HcnEnumerate##Plural(const WCH *Query, WCH **Result, WCH **ErrorRecord)                    \
    {                                                                                                   \
        return do_enumerate("HcnEnumerate" #Plural, Query, Result, ErrorRecord);                       \
    }                                                                                                   \
    API(HR) HcnCreate##Sing(const FAKE_GUID *Id, const WCH *Settings, void **Handle, WCH **ErrorRecord) \
    {                                                                                                   \
        return do_create("HcnCreate" #Sing, KIND, Id, Settings, Handle, ErrorRecord);                  \
    }                                                                                                   \
    API(HR) HcnOpen##Sing(const FAKE_GUID *Id, void **Handle, WCH **ErrorRecord)                       \
    {                                                                                                   \
        return do_open("HcnOpen" #Sing, KIND, Id, Handle, ErrorRecord);                                \
    }                                                                                                   \
    API(HR) HcnModify##Sing(void *Handle, const WCH *Settings, WCH **ErrorRecord)                      \
    {                                                                                                   \
        return do_modify("HcnModify" #Sing, KIND, Handle, Settings, ErrorRecord);                      \
    }                                                                                                   \
    API(HR) HcnQuery##Sing##Properties(void *Handle, const WCH *Query, WCH **Properties,               \
                                        WCH **ErrorRecord)                                              \
    {                                                                                                   \
        return do_query("HcnQuery" #Sing "Properties", KIND, Handle, Query, Properties, ErrorRecord);  \
    }                                                                                                   \
    API(HR) HcnDelete##Sing(const FAKE_GUID *Id, WCH **ErrorRecord)                                    \
    {                                                                                                   \
        return do_delete("HcnDelete" #Sing, Id, ErrorRecord);                                          \
    }                                                                                                   \
    API(HR) HcnClose##Sing(void *Handle) { return do_close("HcnClose" #Sing, KIND, Handle); }

HCN_FAMILY(Network, Networks, K_NETWORK)
HCN_FAMILY(Namespace, Namespaces, K_NAMESPACE)
HCN_FAMILY(LoadBalancer, LoadBalancers, K_LOADBALANCER)
HCN_FAMILY(SdnRoute, SdnRoutes, K_SDNROUTE)

/* Endpoints differ: Create takes the network handle first. */
API(HR) HcnEnumerateEndpoints(const WCH *Query, WCH **Endpoints, WCH **ErrorRecord)
{
    return do_enumerate("HcnEnumerateEndpoints", Query, Endpoints, ErrorRecord);
}

API(HR) HcnCreateEndpoint(void *Network, const FAKE_GUID *Id, const WCH *Settings, void **Endpoint,
                          WCH **ErrorRecord)
{
    struct arg a[] = { ARG_HANDLE("Network", Network, K_NETWORK), ARG_GUID("Id", Id),
                       ARG_WSTR("Settings", Settings) };
    struct out o[] = { OUT_HANDLE("Endpoint", Endpoint, K_ENDPOINT), OUT_(O_RECORD, "ErrorRecord", ErrorRecord) };
    return forward("HcnCreateEndpoint", 3, a, 2, o);
}

API(HR) HcnOpenEndpoint(const FAKE_GUID *Id, void **Endpoint, WCH **ErrorRecord)
{
    return do_open("HcnOpenEndpoint", K_ENDPOINT, Id, Endpoint, ErrorRecord);
}

API(HR) HcnModifyEndpoint(void *Endpoint, const WCH *Settings, WCH **ErrorRecord)
{
    return do_modify("HcnModifyEndpoint", K_ENDPOINT, Endpoint, Settings, ErrorRecord);
}

API(HR) HcnQueryEndpointProperties(void *Endpoint, const WCH *Query, WCH **Properties, WCH **ErrorRecord)
{
    return do_query("HcnQueryEndpointProperties", K_ENDPOINT, Endpoint, Query, Properties, ErrorRecord);
}

API(HR) HcnDeleteEndpoint(const FAKE_GUID *Id, WCH **ErrorRecord)
{
    return do_delete("HcnDeleteEndpoint", Id, ErrorRecord);
}

API(HR) HcnCloseEndpoint(void *Endpoint) { return do_close("HcnCloseEndpoint", K_ENDPOINT, Endpoint); }

/* Added in Windows "NI" (22H2); -DFAKE_PRE_NI builds the library an older Windows would have. */
#ifndef FAKE_PRE_NI
API(HR) HcnQueryEndpointStats(void *Endpoint, const WCH *Query, WCH **Stats, WCH **ErrorRecord)
{
    return do_query("HcnQueryEndpointStats", K_ENDPOINT, Endpoint, Query, Stats, ErrorRecord);
}

API(HR) HcnQueryEndpointAddresses(void *Endpoint, const WCH *Query, WCH **Addresses, WCH **ErrorRecord)
{
    return do_query("HcnQueryEndpointAddresses", K_ENDPOINT, Endpoint, Query, Addresses, ErrorRecord);
}
#endif

/* ------------------------------------------------------------------------------------------------ */
/* Service callbacks and the guest network service. The simulator does not model them (it answers    */
/* E_NOTIMPL); they exist because clients refuse to load a library that lacks them. Wire shapes for  */
/* the parameters the protocol has no type for (callback pointers, numbers) are this library's       */
/* choice: callbacks are not sent, numbers go as unsigned decimal, out numbers come back likewise.   */

API(HR) HcnRegisterServiceCallback(FAKE_NOTIFICATION_CALLBACK Callback, void *Context, void **CallbackHandle)
{
    struct out o[] = { OUT_HANDLE("CallbackHandle", CallbackHandle, K_CALLBACK) };
    (void)Context;
    if (!Callback) {
        if (CallbackHandle) *CallbackHandle = NULL;
        loud("HcnRegisterServiceCallback", "Callback: NULL function pointer");
        return E_POINTER_;
    }
    return forward("HcnRegisterServiceCallback", 0, NULL, 1, o);
}

API(HR) HcnUnregisterServiceCallback(void *CallbackHandle)
{
    return do_close("HcnUnregisterServiceCallback", K_CALLBACK, CallbackHandle);
}

API(HR) HcnRegisterGuestNetworkServiceCallback(void *GuestNetworkService, FAKE_NOTIFICATION_CALLBACK Callback,
                                               void *Context, void **CallbackHandle)
{
    struct arg a[] = { ARG_HANDLE("GuestNetworkService", GuestNetworkService, K_GUESTNETWORKSERVICE) };
    struct out o[] = { OUT_HANDLE("CallbackHandle", CallbackHandle, K_CALLBACK) };
    (void)Context;
    if (!Callback) {
        if (CallbackHandle) *CallbackHandle = NULL;
        loud("HcnRegisterGuestNetworkServiceCallback", "Callback: NULL function pointer");
        return E_POINTER_;
    }
    return forward("HcnRegisterGuestNetworkServiceCallback", 1, a, 1, o);
}

API(HR) HcnUnregisterGuestNetworkServiceCallback(void *CallbackHandle)
{
    return do_close("HcnUnregisterGuestNetworkServiceCallback", K_CALLBACK, CallbackHandle);
}

API(HR) HcnCreateGuestNetworkService(const FAKE_GUID *Id, const WCH *Settings, void **GuestNetworkService,
                                     WCH **ErrorRecord)
{
    return do_create("HcnCreateGuestNetworkService", K_GUESTNETWORKSERVICE, Id, Settings,
                     GuestNetworkService, ErrorRecord);
}

API(HR) HcnCloseGuestNetworkService(void *GuestNetworkService)
{
    return do_close("HcnCloseGuestNetworkService", K_GUESTNETWORKSERVICE, GuestNetworkService);
}

API(HR) HcnModifyGuestNetworkService(void *GuestNetworkService, const WCH *Settings, WCH **ErrorRecord)
{
    return do_modify("HcnModifyGuestNetworkService", K_GUESTNETWORKSERVICE, GuestNetworkService, Settings,
                     ErrorRecord);
}

API(HR) HcnDeleteGuestNetworkService(const FAKE_GUID *Id, WCH **ErrorRecord)
{
    return do_delete("HcnDeleteGuestNetworkService", Id, ErrorRecord);
}

API(HR) HcnReserveGuestNetworkServicePort(void *GuestNetworkService, int32_t Protocol, int32_t Access,
                                          uint16_t Port, void **PortReservationHandle)
{
    struct arg a[] = { ARG_HANDLE("GuestNetworkService", GuestNetworkService, K_GUESTNETWORKSERVICE),
                       ARG_UINT("Protocol", (uint32_t)Protocol), ARG_UINT("Access", (uint32_t)Access),
                       ARG_UINT("Port", Port) };
    struct out o[] = { OUT_HANDLE("PortReservationHandle", PortReservationHandle, K_PORTRESERVATION) };
    return forward("HcnReserveGuestNetworkServicePort", 4, a, 1, o);
}

API(HR) HcnReserveGuestNetworkServicePortRange(void *GuestNetworkService, uint16_t PortCount,
                                               FAKE_PORT_RANGE_RESERVATION *PortRangeReservation,
                                               void **PortReservationHandle)
{
    struct arg a[] = { ARG_HANDLE("GuestNetworkService", GuestNetworkService, K_GUESTNETWORKSERVICE),
                       ARG_UINT("PortCount", PortCount) };
    struct out o[] = {
        OUT_(O_U16, "startingPort", PortRangeReservation ? &PortRangeReservation->startingPort : NULL),
        OUT_(O_U16, "endingPort", PortRangeReservation ? &PortRangeReservation->endingPort : NULL),
        OUT_HANDLE("PortReservationHandle", PortReservationHandle, K_PORTRESERVATION),
    };
    return forward("HcnReserveGuestNetworkServicePortRange", 2, a, 3, o);
}

API(HR) HcnReleaseGuestNetworkServicePortReservationHandle(void *PortReservationHandle)
{
    return do_close("HcnReleaseGuestNetworkServicePortReservationHandle", K_PORTRESERVATION,
                    PortReservationHandle);
}

/* The server only tells success or failure (no out fields); this library never reports an entry. */
API(HR) HcnEnumerateGuestNetworkPortReservations(uint32_t *ReturnCount, FAKE_PORT_RANGE_ENTRY **PortEntries)
{
    if (ReturnCount) *ReturnCount = 0;
    if (PortEntries) *PortEntries = NULL;
    if (!ReturnCount || !PortEntries) {
        loud("HcnEnumerateGuestNetworkPortReservations", "NULL out pointer");
        return E_POINTER_;
    }
    return forward("HcnEnumerateGuestNetworkPortReservations", 0, NULL, 0, NULL);
}

API(void) HcnFreeGuestNetworkPortReservations(FAKE_PORT_RANGE_ENTRY *PortEntries)
{
    if (PortEntries) {
        loud("HcnFreeGuestNetworkPortReservations", "%p was not returned by this library", (void *)PortEntries);
    }
}

/* v1, vmcompute.dll in real Windows. */
API(HR) HNSCall(const WCH *Method, const WCH *Path, const WCH *Request, WCH **Response)
{
    struct arg a[] = { ARG_WSTR("Method", Method), ARG_WSTR("Path", Path), ARG_WSTR("Request", Request) };
    struct out o[] = { OUT_(O_RESPONSE, "Response", Response) };
    return forward("HNSCall", 3, a, 1, o);
}
