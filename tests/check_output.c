/* The writers (sim/output.h): results.json is valid JSON (checked by a
 * strict parser written here), the CSV files have their headers and one
 * row per strategy, month or future, and names with commas, quotes,
 * newlines or other awkward bytes come back intact from both formats. */
#define _GNU_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <sys/stat.h>

#include "../sim/engine.h"
#include "../sim/output.h"
#include "../sim/stats.h"

/* ---- A strict JSON checker (RFC 8259), strings must be valid UTF-8. ---- */

typedef struct {
    const char *p, *end;
    int depth;
} jcur;

static void jws(jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static int utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    int len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || (size_t)len > n)
        return 0;
    for (int i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

/* Parses a string; when out is not NULL, decodes it (ASCII escapes and
 * UTF-8 pass-through; \u00XX only) into out. */
static int jstring(jcur *c, char *out, size_t size)
{
    size_t o = 0;
    if (c->p >= c->end || *c->p != '"')
        return 0;
    c->p++;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20)
            return 0;
        if (ch == '\\') {
            if (++c->p >= c->end)
                return 0;
            char e = *c->p++, d = e;
            if (e == 'u') {
                if (c->end - c->p < 4)
                    return 0;
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    char h = c->p[i];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
                        return 0;
                    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                c->p += 4;
                d = (char)(v < 0x80 ? v : '?');
            } else if (e == 'n') {
                d = '\n';
            } else if (e == 't') {
                d = '\t';
            } else if (e == 'r') {
                d = '\r';
            } else if (e == 'b') {
                d = '\b';
            } else if (e == 'f') {
                d = '\f';
            } else if (e != '"' && e != '\\' && e != '/') {
                return 0;
            }
            if (out && o + 1 < size)
                out[o++] = d;
            continue;
        }
        int len = utf8_len((const unsigned char *)c->p, (size_t)(c->end - c->p));
        if (len == 0)
            return 0;
        for (int i = 0; i < len; i++)
            if (out && o + 1 < size)
                out[o++] = c->p[i];
        c->p += len;
    }
    if (c->p >= c->end)
        return 0;
    c->p++;
    if (out)
        out[o] = '\0';
    return 1;
}

static int jnumber(jcur *c)
{
    const char *p = c->p;
    if (p < c->end && *p == '-')
        p++;
    if (p >= c->end || *p < '0' || *p > '9')
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    if (p < c->end && *p == '.') {
        p++;
        if (p >= c->end || *p < '0' || *p > '9')
            return 0;
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < c->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= c->end || *p < '0' || *p > '9')
            return 0;
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    }
    c->p = p;
    return 1;
}

static int jvalue(jcur *c);

static int jword(jcur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

static int jvalue(jcur *c)
{
    jws(c);
    if (c->p >= c->end || ++c->depth > 64)
        return 0;
    int ok;
    char ch = *c->p;
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        c->p++;
        jws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            ok = 1;
        } else {
            for (;;) {
                if (ch == '{') {
                    jws(c);
                    if (!jstring(c, NULL, 0))
                        return 0;
                    jws(c);
                    if (c->p >= c->end || *c->p++ != ':')
                        return 0;
                }
                if (!jvalue(c))
                    return 0;
                jws(c);
                if (c->p < c->end && *c->p == ',') {
                    c->p++;
                    continue;
                }
                if (c->p < c->end && *c->p == close) {
                    c->p++;
                    break;
                }
                return 0;
            }
            ok = 1;
        }
    } else if (ch == '"') {
        ok = jstring(c, NULL, 0);
    } else if (ch == 't') {
        ok = jword(c, "true");
    } else if (ch == 'f') {
        ok = jword(c, "false");
    } else if (ch == 'n') {
        ok = jword(c, "null");
    } else {
        ok = jnumber(c);
    }
    c->depth--;
    return ok;
}

/* 1 when text (n bytes) is one valid JSON value. */
static int json_valid(const char *text, size_t n)
{
    jcur c = {text, text + n, 0};
    if (!jvalue(&c))
        return 0;
    jws(&c);
    return c.p == c.end;
}

START_TEST(test_json_checker)
{
    /* The checker itself rejects what it must. */
    static const char *const good[] = {"{}", "[1, -2.5e+3, 0.25, true, false, null]",
                                       "{\"a\": {\"b\": [\"\\u00e9\\n\"]}}", "\"caf\xc3\xa9\""};
    static const char *const bad[] = {"{", "[1,]", "{\"a\" 1}", "[nan]", "[inf]", "[01]", "[1.]",
                                      "\"a\nb\"", "\"\xff\"", "\"\xc3\"", "\"\\x\"", "{} {}",
                                      "[-]", "\"\xed\xa0\x80\""};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(json_valid(good[i], strlen(good[i])), "rejects %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!json_valid(bad[i], strlen(bad[i])), "accepts %s", bad[i]);
}
END_TEST

/* ---- CSV: RFC 4180 records. ---- */

/* Splits text into records of fields; returns the number of records and
 * stores the field count of each (up to max records) in nfields, and the
 * first field of each record into first (decoded, up to 128 bytes). */
static long csv_records(const char *text, size_t n, int *nfields, char (*first)[128], long max)
{
    long rec = 0;
    size_t i = 0;
    while (i < n) {
        int fields = 0;
        for (;;) {
            char buf[128];
            size_t o = 0;
            if (i < n && text[i] == '"') {
                i++;
                for (;;) {
                    ck_assert_msg(i < n, "unterminated quoted field in record %ld", rec);
                    if (text[i] == '"') {
                        if (i + 1 < n && text[i + 1] == '"') {
                            if (o + 1 < sizeof buf)
                                buf[o++] = '"';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (o + 1 < sizeof buf)
                        buf[o++] = text[i];
                    i++;
                }
                ck_assert_msg(i >= n || text[i] == ',' || text[i] == '\n',
                              "text after a quoted field in record %ld", rec);
            } else {
                while (i < n && text[i] != ',' && text[i] != '\n') {
                    ck_assert_msg(text[i] != '"', "bare quote in record %ld", rec);
                    if (o + 1 < sizeof buf)
                        buf[o++] = text[i];
                    i++;
                }
            }
            buf[o] = '\0';
            if (fields == 0 && rec < max)
                strcpy(first[rec], buf);
            fields++;
            if (i < n && text[i] == ',') {
                i++;
                continue;
            }
            i++; /* the newline */
            break;
        }
        if (rec < max)
            nfields[rec] = fields;
        rec++;
    }
    return rec;
}

/* ---- A run to write. ---- */

/* Strategy names may not hold control characters, '.', '=', ',' or '"'
 * (the loader refuses them); the rest must survive: quotes, '#', ';',
 * leading '+' or '@', and UTF-8. */
static const char *NAMES[3] = {"plain", "it's #1; na\xc3\xafve \xe2\x82\xac", "+cmd @x"};
/* The same names as a CSV file gives them back: one a spreadsheet would read
 * as a formula keeps a leading quote (OWASP's advice on CSV injection). */
static const char *CSV_NAMES[3] = {"plain", "it's #1; na\xc3\xafve \xe2\x82\xac", "'+cmd @x"};

static const char *SCENARIO =
    "scenario: { name: \"out, \\\"put\\\"\\nname\", horizon_months: 4, currency: \"E,UR\" }\n"
    "workloads: { w: { input_tokens: 100, output_tokens: { dist: uniform, min: 50, max: 150 } } }\n"
    "demand: { requests_per_month: 1000 }\n"
    "backends:\n"
    "  a: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2 }\n"
    "  b: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 1 }\n"
    "strategies:\n"
    "  plain: { route: { w: a } }\n"
    "  \"it's #1; na\xc3\xafve \xe2\x82\xac\": { route: { w: b } }\n"
    "  \"+cmd @x\": { route: { w: a } }\n";

typedef struct {
    tco_scenario *sc;
    tco_run *run;
    tco_results *res;
    tco_report rep;
} fixture;

static void make_run(fixture *x, long n)
{
    tco_error err;
    ck_assert_msg(load_text(SCENARIO, &x->sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options ro = {0};
    ro.futures = n;
    ro.threads = 1;
    ro.keep_inputs = 1;
    ck_assert_msg(tco_run_execute(&x->run, x->sc, &ro, &err) == TCO_OK, "%s", err.msg);
    ck_assert_msg(tco_results_compute(&x->res, x->run, &err) == TCO_OK, "%s", err.msg);
    x->rep.sc = x->sc;
    x->rep.run = x->run;
    x->rep.res = x->res;
    x->rep.prov = NULL; /* no provenance in the unit tests */
}

static void free_run(fixture *x)
{
    tco_results_free(x->res);
    tco_run_free(x->run);
    tco_scenario_free(x->sc);
}

/* The writer's output in memory (caller frees). */
static char *written(tco_status (*writer)(FILE *, const tco_report *), const tco_report *r,
                     size_t *n)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, n);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(writer(f, r), TCO_OK);
    fclose(f);
    return buf;
}

START_TEST(test_json_valid_and_names)
{
    fixture x;
    make_run(&x, 50);
    size_t n;
    char *text = written(tco_write_json, &x.rep, &n);
    ck_assert_msg(json_valid(text, n), "results.json is not valid JSON:\n%s", text);
    /* Each strategy's name appears decoded as it was written. */
    for (int s = 0; s < 3; s++) {
        const char *p = text;
        int found = 0;
        while ((p = strstr(p, "\"name\": ")) != NULL) {
            p += 8;
            jcur c = {p, text + n, 0};
            char name[128];
            if (jstring(&c, name, sizeof name) && strcmp(name, NAMES[s]) == 0)
                found = 1;
        }
        ck_assert_msg(found, "strategy name %d does not round-trip", s);
    }
    const char *sc = strstr(text, "\"scenario\": ");
    ck_assert_ptr_nonnull(sc);
    jcur c = {sc + 12, text + n, 0};
    char name[128];
    ck_assert(jstring(&c, name, sizeof name));
    ck_assert_str_eq(name, "out, \"put\"\nname");
    ck_assert_ptr_nonnull(strstr(text, "\"futures\": 50"));
    ck_assert_ptr_nonnull(strstr(text, "\"horizon_months\": 4"));
    free(text);
    free_run(&x);
}
END_TEST

/* Strings the JSON writer must escape: every control character. */
START_TEST(test_json_string_escapes)
{
    char in[40], *buf = NULL;
    size_t n;
    for (int i = 1; i < 32; i++)
        in[i - 1] = (char)i;
    strcpy(in + 31, "\"\\/\x7f");
    FILE *f = open_memstream(&buf, &n);
    tco_json_string(f, in);
    fclose(f);
    ck_assert_msg(json_valid(buf, n), "%s", buf);
    jcur c = {buf, buf + n, 0};
    char out[64];
    ck_assert(jstring(&c, out, sizeof out));
    ck_assert_str_eq(out, in);
    free(buf);
}
END_TEST

/* CSV quoting of any string: fields with commas, quotes, newlines or
 * carriage returns are quoted, quotes doubled; every string comes back. */
START_TEST(test_csv_string_round_trip)
{
    static const char *const in[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\rlf",
                                     "\"", ",", "caf\xc3\xa9; #x", " lead"};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char *buf = NULL;
        size_t n;
        FILE *f = open_memstream(&buf, &n);
        tco_csv_string(f, in[i]);
        fputs(",2\n", f);
        fclose(f);
        int nfields[2];
        char first[2][128];
        ck_assert_int_eq(csv_records(buf, n, nfields, first, 2), 1);
        ck_assert_int_eq(nfields[0], 2);
        ck_assert_msg(strcmp(first[0], in[i]) == 0, "'%s' comes back as '%s'", in[i], first[0]);
        free(buf);
    }
}
END_TEST

static void check_csv(const char *what, const char *text, size_t n, const char *header,
                      long want_records, int want_fields)
{
    enum { MAX = 4096 };
    static int nfields[MAX];
    static char first[MAX][128];
    ck_assert_msg(n > 0 && text[n - 1] == '\n', "%s: does not end with a newline", what);
    ck_assert_msg(strncmp(text, header, strlen(header)) == 0, "%s: header %.80s", what, text);
    long rec = csv_records(text, n, nfields, first, MAX);
    ck_assert_msg(rec == want_records, "%s: %ld records, expected %ld", what, rec, want_records);
    for (long i = 0; i < rec && i < MAX; i++)
        ck_assert_msg(nfields[i] == want_fields, "%s: record %ld has %d fields, expected %d", what,
                      i, nfields[i], want_fields);
}

START_TEST(test_csv_files)
{
    fixture x;
    make_run(&x, 40);
    enum { S = 3, T = 4, N = 40 };
    size_t n;
    char *text;
    int nfields[64];
    char first[64][128];

    text = written(tco_write_summary_csv, &x.rep, &n);
    /* Fields: the header's count. */
    int hf = 1;
    for (const char *p = text; *p != '\n'; p++)
        hf += *p == ',';
    check_csv("summary.csv", text, n, "strategy,mean,sd,se,p5,p10,p25,p50,p75,p90,p95,cvar95,min,max,",
              1 + S, hf);
    csv_records(text, n, nfields, first, 64);
    for (int s = 0; s < S; s++)
        ck_assert_str_eq(first[1 + s], CSV_NAMES[s]);
    free(text);

    text = written(tco_write_monthly_csv, &x.rep, &n);
    check_csv("monthly.csv", text, n, "strategy,month,mean,p5,p25,p50,p75,p95\n", 1 + S * T, 8);
    csv_records(text, n, nfields, first, 64);
    ck_assert_str_eq(first[1 + T], CSV_NAMES[1]);
    free(text);

    text = written(tco_write_categories_csv, &x.rep, &n);
    check_csv("categories.csv", text, n, "strategy,api,compute,facility,staff,setup,operations,"
                                         "quality,events",
              1 + S, 1 + TCO_NCAT + 1);
    csv_records(text, n, nfields, first, 64);
    ck_assert_str_eq(first[3], CSV_NAMES[2]);
    free(text);

    /* samples: future, each uncertain input, each strategy's NPV. */
    text = written(tco_write_samples_csv, &x.rep, &n);
    hf = 1;
    for (const char *p = text; *p != '\n'; p++)
        hf += *p == ',';
    ck_assert_int_ge(hf, 1 + 1 + S);
    check_csv("samples.csv", text, n, "future,", 1 + N, hf);
    free(text);
    free_run(&x);
}
END_TEST


/* Route changes in every output (MODEL.md 20): flat demand of 1000 above
 * the switch's 500 fires in month 1 of every future, the new route from
 * month 2: mean 1, probability 1, median first month 2; the plain
 * strategy has zeros and null. */
START_TEST(test_switches_written)
{
    const char *text =
        "scenario: { name: sw, horizon_months: 4 }\n"
        "workloads: { w: { input_tokens: 100, output_tokens: { dist: uniform, min: 50, max: 150 } } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 1, output_price_per_mtok: 2 }\n"
        "  b: { type: api, input_price_per_mtok: 2, output_price_per_mtok: 1 }\n"
        "strategies:\n"
        "  plain: { route: { w: a } }\n"
        "  sw: { route: { w: a }, switch: { when: { requests_per_month_above: 500 }, route: { w: b } } }\n";
    fixture x;
    tco_error err;
    ck_assert_msg(load_text(text, &x.sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options ro = {0};
    ro.futures = 10;
    ro.threads = 1;
    ro.keep_inputs = 1;
    ck_assert_msg(tco_run_execute(&x.run, x.sc, &ro, &err) == TCO_OK, "%s", err.msg);
    ck_assert_msg(tco_results_compute(&x.res, x.run, &err) == TCO_OK, "%s", err.msg);
    x.rep.sc = x.sc;
    x.rep.run = x.run;
    x.rep.res = x.res;
    x.rep.prov = NULL;
    size_t n;
    char *out = written(tco_write_json, &x.rep, &n);
    ck_assert(json_valid(out, n));
    ck_assert_ptr_nonnull(
        strstr(out, "\"switches\": { \"mean\": 0, \"probability\": 0, \"median_first_month\": null }"));
    ck_assert_ptr_nonnull(
        strstr(out, "\"switches\": { \"mean\": 1, \"probability\": 1, \"median_first_month\": 2 }"));
    free(out);
    out = written(tco_write_summary_csv, &x.rep, &n);
    ck_assert_ptr_nonnull(
        strstr(out, ",switches_mean,switches_probability,switches_median_first_month,unserved\n"));
    ck_assert_ptr_nonnull(strstr(out, ",0,0,,0\nsw,"));
    ck_assert_int_eq(strcmp(out + n - 9, ",1,1,2,0\n"), 0);
    free(out);
    out = written(tco_write_samples_csv, &x.rep, &n);
    ck_assert_ptr_nonnull(
        strstr(out, ",switches.plain,first_switch_month.plain,switches.sw,first_switch_month.sw\n"));
    ck_assert_ptr_nonnull(strstr(out, ",0,0,1,2\n10,"));
    free(out);
    out = written(tco_write_table, &x.rep, &n);
    ck_assert_ptr_nonnull(strstr(out, "\nroute changes of sw: mean 1 a future, at least one in "
                                      "100% of futures, the first from month 2 (median)\n"));
    ck_assert_ptr_null(strstr(out, "route changes of plain"));
    free(out);
    free_run(&x);
}
END_TEST

/* MODEL.md 15 and 20: the mean number of unserved requests per future, and
 * the cost per million tokens over the tokens served.  4 months of 1000
 * requests of 1000 output tokens, failure_cost 1 (the unserved cost by
 * default).  api serves everything (unserved 0, 1 a request: 1000 per
 * million tokens); none waits for box (setup months 1-2, then one GPU at 1
 * an hour, 730 a month): 2000 unserved, cost 2000 + 2 x 730 = 3460 over
 * 2e6 tokens served = 1730 per million; never routes to dud, whose setup
 * fails: 4000 unserved and no token served (null). */
START_TEST(test_unserved_written)
{
    const char *text =
        "scenario: { name: un, horizon_months: 4 }\n"
        "workloads: { w: { input_tokens: 0, output_tokens: 1000, failure_cost: 1 } }\n"
        "demand: { requests_per_month: 1000 }\n"
        "backends:\n"
        "  a: { type: api, input_price_per_mtok: 0, output_price_per_mtok: 1000 }\n"
        "  box: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 1 }, setup: { months: 2 } }\n"
        "  dud: { type: self_hosted, throughput_tokens_per_gpu_second: 1000,\n"
        "         gpu: { mode: cloud, hour_price: 1 },\n"
        "         setup: { months: 1, failure_probability: 1 } }\n"
        "strategies:\n"
        "  api: { route: { w: a } }\n"
        "  none: { route: { w: box }, fallback: none }\n"
        "  never: { route: { w: dud }, fallback: none }\n";
    fixture x;
    tco_error err;
    ck_assert_msg(load_text(text, &x.sc, &err) == TCO_OK, "%s", err.msg);
    tco_run_options ro = {0};
    ro.futures = 3;
    ro.threads = 1;
    ck_assert_msg(tco_run_execute(&x.run, x.sc, &ro, &err) == TCO_OK, "%s", err.msg);
    ck_assert_msg(tco_results_compute(&x.res, x.run, &err) == TCO_OK, "%s", err.msg);
    x.rep.sc = x.sc;
    x.rep.run = x.run;
    x.rep.res = x.res;
    x.rep.prov = NULL;
    size_t n;
    char *out = written(tco_write_json, &x.rep, &n);
    ck_assert(json_valid(out, n));
    const char *none = strstr(out, "\"name\": \"none\""), *never = strstr(out, "\"name\": \"never\"");
    ck_assert_ptr_nonnull(none);
    ck_assert_ptr_nonnull(never);
    ck_assert_ptr_nonnull(strstr(out, "\"cost_per_mtok\": 1000,"));
    ck_assert_ptr_nonnull(strstr(none, "\"cost_per_mtok\": 1730,"));
    ck_assert_ptr_nonnull(strstr(none, "\"unserved\": 2000,"));
    ck_assert_ptr_nonnull(strstr(never, "\"cost_per_mtok\": null,"));
    ck_assert_ptr_nonnull(strstr(never, "\"unserved\": 4000,"));
    ck_assert(strstr(out, "\"unserved\": 0,") < none);
    free(out);
    out = written(tco_write_summary_csv, &x.rep, &n);
    ck_assert_int_eq(strcmp(out + n - 6, ",4000\n"), 0);
    ck_assert_ptr_nonnull(strstr(out, ",2000\nnever,"));
    free(out);
    free_run(&x);
}
END_TEST

/* Files are written whole: a writer that fails leaves neither the file nor
 * a temporary one behind; one that succeeds leaves only the file. */
static tco_status failing_writer(FILE *f, const tco_report *r)
{
    (void)r;
    fputs("half", f);
    return TCO_EIO;
}

static tco_status tiny_writer(FILE *f, const tco_report *r)
{
    (void)r;
    fputs("whole\n", f);
    return TCO_OK;
}

static int entries(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int k = -1;
    if (p) {
        if (fscanf(p, "%d", &k) != 1)
            k = -1;
        pclose(p);
    }
    return k;
}

START_TEST(test_write_file_atomic)
{
    char dir[] = "/tmp/tco-check-output-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    tco_error err;
    tco_report r = {NULL, NULL, NULL, NULL};
    ck_assert_int_eq(tco_write_file(path, failing_writer, &r, &err), TCO_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "a.csv"));
    ck_assert_int_eq(entries(dir), 0);
    ck_assert_int_eq(tco_write_file(path, tiny_writer, &r, &err), TCO_OK);
    ck_assert_int_eq(entries(dir), 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 6);
    /* A folder that does not exist: an error naming the file. */
    snprintf(path, sizeof path, "%s/missing/a.csv", dir);
    ck_assert_int_eq(tco_write_file(path, tiny_writer, &r, &err), TCO_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing"));
    /* tco_make_dirs makes the parents. */
    snprintf(path, sizeof path, "%s/x/y/z", dir);
    ck_assert_int_eq(tco_make_dirs(path, &err), TCO_OK);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_names_and_money)
{
    char buf[64];
    tco_safe_name("my scenario/../x:1", buf, sizeof buf);
    ck_assert_str_eq(buf, "my_scenario_.._x_1");
    tco_safe_name("..", buf, sizeof buf);
    ck_assert_str_eq(buf, "scenario");
    tco_safe_name("", buf, sizeof buf);
    ck_assert_str_eq(buf, "scenario");
    tco_safe_name("abcdefgh", buf, 4);
    ck_assert_str_eq(buf, "abc");
    tco_format_money(1234567, buf, sizeof buf);
    ck_assert_str_eq(buf, "1.23M");
    tco_format_money(845000, buf, sizeof buf);
    ck_assert_str_eq(buf, "845k");
    tco_format_money(-12345, buf, sizeof buf);
    ck_assert_str_eq(buf, "-12.3k");
}
END_TEST

/* Issue 7, found by fuzzing, item 12.  A byte that is not UTF-8 must not reach results.json
 * raw; a name starting with = + - @ must not be a formula in a CSV file. */
START_TEST(test_json_non_utf8)
{
    char *buf = NULL;
    size_t n;
    FILE *f = open_memstream(&buf, &n);
    tco_json_string(f, "caf\xe9 \xff\xfe");
    fclose(f);
    ck_assert_msg(json_valid(buf, n), "invalid UTF-8 in JSON: %s", buf);
    free(buf);
}
END_TEST

START_TEST(test_csv_formula)
{
    static const char *const names[] = {"=1+2", "+cmd", "-2+3", "@SUM(A1)"};
    for (size_t i = 0; i < 4; i++) {
        char *buf = NULL;
        size_t n;
        FILE *f = open_memstream(&buf, &n);
        tco_csv_string(f, names[i]);
        fclose(f);
        const char *p = buf[0] == '"' ? buf + 1 : buf;
        ck_assert_msg(strchr("=+-@", *p) == NULL, "%s is written as %s", names[i], buf);
        free(buf);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("writers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_json_checker);
    tcase_add_test(tc, test_json_valid_and_names);
    tcase_add_test(tc, test_json_string_escapes);
    tcase_add_test(tc, test_csv_string_round_trip);
    tcase_add_test(tc, test_csv_files);
    tcase_add_test(tc, test_switches_written);
    tcase_add_test(tc, test_unserved_written);
    tcase_add_test(tc, test_write_file_atomic);
    tcase_add_test(tc, test_names_and_money);
    tcase_add_test(tc, test_json_non_utf8);
    tcase_add_test(tc, test_csv_formula);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(suite()) ? EXIT_FAILURE : EXIT_SUCCESS; }
