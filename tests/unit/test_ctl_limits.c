/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ctl's client limits: each socket its own limit, the
 * read-only socket's per-uid limit and maximum age, root's extra slots,
 * and the refusals counted per socket. Peers other than root come from
 * the DSR_CTL_TEST_UID hook (every root peer is taken as that uid).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dsr_ctl.h"
#include "dsr_test.h"
#include "test_ctl_util.h"

/* A server with the given limits (0: the default) and a read-only socket. */
static struct dsr_ctl_server *
tsrv_limits(struct tsrv *t, unsigned int rw, unsigned int ro, unsigned int per_uid, uint32_t age_ms,
	    uint32_t idle_ms)
{
	struct dsr_ctl_params p = {
		.group = "root",
		.max_clients = rw,
		.ro_max_clients = ro,
		.ro_max_per_uid = per_uid,
		.ro_max_age_ms = age_ms,
		.idle_ms = idle_ms,
	};

	th_reset();
	if (!tsrv_dir(t))
		return NULL;
	p.path = t->path;
	p.ro_path = t->ro_path;
	t->s = dsr_ctl_open(&p, th_handler, th_cancel, NULL, t->err, sizeof(t->err));
	if (t->s == NULL)
		fprintf(stderr, "dsr_ctl_open: %s\n", t->err);
	return t->s;
}

/* Connect and expect to be refused with exactly msg. */
static bool
refused(struct dsr_ctl_server *s, const char *path, const char *msg)
{
	struct tc c;
	bool ok;

	if (!tc_connect(s, path, &c))
		return false;
	ok = tc_wait_eof(s, &c) && strcmp(tc_take(&c), msg) == 0;
	if (!ok)
		fprintf(stderr, "refused: got \"%s\", want \"%s\"\n", c.buf, msg);
	tc_close(&c);
	return ok;
}

/* The read-write socket's default limit, all clients root (as the tests run). */
static void
test_many_clients(void)
{
	const unsigned int n = DSR_CTL_MAX_CLIENTS;
	struct tsrv t = {0};
	struct tc *c, extra, root[DSR_CTL_ROOT_SLOTS];
	struct rlimit rl;
	unsigned int i, done;
	char req[32], want[64];
	uint32_t t0;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4 * n) {
		rl.rlim_cur = rl.rlim_max < 4 * n ? rl.rlim_max : 4 * n;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	c = calloc(n, sizeof(*c));
	if (c == NULL || tsrv_open(&t, NULL, 0, 0) == NULL) { /* 0: the default limit */
		CHECK(0);
		free(c);
		return;
	}
	for (i = 0; i < n; i++)
		CHECK(tc_connect(t.s, t.path, &c[i]));
	/* All connected at once: all greeted, all answered. */
	t0 = real_ms();
	do {
		dsr_ctl_poll(t.s, tnow());
		for (i = done = 0; i < n; i++) {
			tc_recv(&c[i], SIZE_MAX);
			done += c[i].nlines >= 1;
		}
	} while (done < n && real_ms() - t0 <= WAIT_MS);
	CHECK_EQ(done, n);
	CHECK_EQ(dsr_ctl_clients(t.s), n);
	for (i = 0; i < n; i++) {
		CHECK_STR(tc_take(&c[i]), "dsrlb protocol 1 (read-write)\n");
		snprintf(req, sizeof(req), "len %u\n", i);
		CHECK(tc_sends(t.s, &c[i], req));
	}
	t0 = real_ms();
	do {
		dsr_ctl_poll(t.s, tnow());
		for (i = done = 0; i < n; i++) {
			tc_recv(&c[i], SIZE_MAX);
			done += c[i].nlines >= 3;
		}
	} while (done < n && real_ms() - t0 <= WAIT_MS);
	CHECK_EQ(done, n);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "len: n %d\nOK\n",
			 snprintf(req, sizeof(req), "len %u", i));
		CHECK_STR(tc_take(&c[i]), want);
	}
	/* Root (we are) gets DSR_CTL_ROOT_SLOTS more; then one more is refused. */
	for (i = 0; i < DSR_CTL_ROOT_SLOTS; i++)
		CHECK(tc_open(t.s, t.path, &root[i]));
	CHECK_EQ(dsr_ctl_clients(t.s), n + DSR_CTL_ROOT_SLOTS);
	CHECK(tc_connect(t.s, t.path, &extra));
	CHECK(tc_wait_eof(t.s, &extra));
	CHECK_STR(tc_take(&extra), "ERR too many clients (256)\n");
	tc_close(&extra);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RW_REFUSED_FULL), 1);
	for (i = 0; i < DSR_CTL_ROOT_SLOTS; i++)
		tc_close(&root[i]);
	t0 = real_ms();
	while (dsr_ctl_clients(t.s) > n && real_ms() - t0 <= WAIT_MS)
		dsr_ctl_poll(t.s, tnow());
	CHECK_EQ(dsr_ctl_clients(t.s), n);
	/* When one leaves, there is room again. */
	tc_close(&c[7]);
	t0 = real_ms();
	while (dsr_ctl_clients(t.s) == n && real_ms() - t0 <= WAIT_MS)
		dsr_ctl_poll(t.s, tnow());
	CHECK_EQ(dsr_ctl_clients(t.s), n - 1);
	CHECK(tc_open(t.s, t.path, &c[7]));
	CHECK_EQ(dsr_ctl_clients(t.s), n);
	CHECK_STR(tc_ask(t.s, &c[7], "len x\n", 2), "len: n 5\nOK\n");
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ACCEPTED), n + DSR_CTL_ROOT_SLOTS + 1);
	for (i = 0; i < n; i++)
		tc_close(&c[i]);
	free(c);
	tsrv_close(&t);
}

/*
 * The lock-out: a local user fills the read-only socket; clients of
 * the read-write socket still get in, and one uid gets only its share.
 */
static void
test_sockets_apart(void)
{
	struct tc ro[4], rw[3];
	struct tsrv t;
	unsigned int i;

	setenv("DSR_CTL_TEST_UID", "65534", 1);
	if (tsrv_limits(&t, 3, 4, 2, 0, 0) == NULL) {
		CHECK(0);
		unsetenv("DSR_CTL_TEST_UID");
		return;
	}
	unsetenv("DSR_CTL_TEST_UID");
	/* One uid: 2 read-only clients, not 3. */
	CHECK(tc_open(t.s, t.ro_path, &ro[0]));
	CHECK(tc_open(t.s, t.ro_path, &ro[1]));
	CHECK(refused(t.s, t.ro_path,
		      "ERR too many clients of uid 65534 on the read-only socket (2)\n"));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RO_REFUSED_UID), 1);
	CHECK_EQ(dsr_ctl_clients_ro(t.s), 2);
	/* The read-write socket's 3 slots are all free. */
	for (i = 0; i < 3; i++)
		CHECK(tc_open(t.s, t.path, &rw[i]));
	CHECK(refused(t.s, t.path, "ERR too many clients (3)\n"));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RW_REFUSED_FULL), 1);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RO_REFUSED_FULL), 0);
	CHECK_EQ(dsr_ctl_clients(t.s), 5);
	CHECK_STR(tc_ask(t.s, &rw[2], "len ab\n", 2), "len: n 6\nOK\n");
	/* A read-write client that leaves frees a read-write slot, not a read-only one. */
	tc_close(&rw[2]);
	while (dsr_ctl_clients(t.s) == 5)
		dsr_ctl_poll(t.s, tnow());
	CHECK(refused(t.s, t.ro_path,
		      "ERR too many clients of uid 65534 on the read-only socket (2)\n"));
	CHECK(tc_open(t.s, t.path, &rw[2]));
	for (i = 0; i < 3; i++)
		tc_close(&rw[i]);
	for (i = 0; i < 2; i++)
		tc_close(&ro[i]);
	tsrv_close(&t);

	/* The read-only socket full (its own limit below the per-uid one). */
	setenv("DSR_CTL_TEST_UID", "65534", 1);
	if (tsrv_limits(&t, 3, 2, 16, 0, 0) == NULL) {
		CHECK(0);
		unsetenv("DSR_CTL_TEST_UID");
		return;
	}
	unsetenv("DSR_CTL_TEST_UID");
	CHECK(tc_open(t.s, t.ro_path, &ro[0]));
	CHECK(tc_open(t.s, t.ro_path, &ro[1]));
	CHECK(refused(t.s, t.ro_path, "ERR too many clients on the read-only socket (2)\n"));
	CHECK(refused(t.s, t.ro_path, "ERR too many clients on the read-only socket (2)\n"));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RO_REFUSED_FULL), 2);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RW_REFUSED_FULL), 0);
	CHECK(tc_open(t.s, t.path, &rw[0]));
	CHECK_STR(tc_ask(t.s, &rw[0], "who\n", 2), "who: ro 0 json 0\nOK\n");
	tc_close(&rw[0]);
	tc_close(&ro[0]);
	tc_close(&ro[1]);
	tsrv_close(&t);
}

/*
 * The read-only socket's maximum age: a client that keeps sending (never
 * idle) is closed at the age, busy or not; the read-write socket's are not.
 */
static void
test_ro_age(void)
{
	const uint32_t t0 = 0xfffffe00u; /* the clock wraps in the middle */
	struct tc a, b, c;
	struct tsrv t;
	uint32_t ms;

	fake_clock = true;
	fake_now = t0;
	setenv("DSR_CTL_TEST_UID", "65534", 1);
	if (tsrv_limits(&t, 0, 0, 0, 1000, 600) == NULL || !tc_open(t.s, t.ro_path, &a) ||
	    !tc_open(t.s, t.path, &b) || !tc_open(t.s, t.ro_path, &c)) {
		CHECK(0);
		unsetenv("DSR_CTL_TEST_UID");
		fake_clock = false;
		return;
	}
	unsetenv("DSR_CTL_TEST_UID");
	/* c: a handler at work, nothing to send (never idle). */
	CHECK(tc_sends(t.s, &c, "wait 4000000000\n"));
	pump(t.s, NULL, 20);
	CHECK_EQ(th.live, 1);
	for (ms = 0; ms < 1000; ms += 400) {
		fake_now = t0 + ms;
		CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
		CHECK_STR(tc_ask(t.s, &b, "len a\n", 2), "len: n 5\nOK\n");
	}
	fake_now = t0 + 999;
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients(t.s), 3);
	fake_now = t0 + 1000;
	CHECK(tc_wait_eof(t.s, &a));
	CHECK(tc_wait_eof(t.s, &c));
	CHECK_EQ(th.cancels, 1);
	CHECK_EQ(th.live, 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RO_AGE_CLOSED), 2);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_IDLE_CLOSED), 0);
	CHECK_EQ(dsr_ctl_clients(t.s), 1);
	for (; ms < 3000; ms += 400) {
		fake_now = t0 + ms;
		CHECK_STR(tc_ask(t.s, &b, "len a\n", 2), "len: n 5\nOK\n");
	}
	CHECK_EQ(dsr_ctl_clients(t.s), 1);
	/* A new read-only client has its own age (and is not idle yet). */
	tc_close(&a);
	CHECK(tc_open(t.s, t.ro_path, &a));
	fake_now += 500;
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients_ro(t.s), 1);
	tc_close(&a);
	tc_close(&b);
	tc_close(&c);
	tsrv_close(&t);
	fake_clock = false;
}

/* Root: never limited per uid nor by age; past a full socket, DSR_CTL_ROOT_SLOTS more. */
static void
test_root_slots(void)
{
	struct tc c[4 + DSR_CTL_ROOT_SLOTS];
	unsigned int i, n = 0;
	struct tsrv t;

	fake_clock = true;
	fake_now = 5;
	if (tsrv_limits(&t, 2, 2, 1, 1000, 0) == NULL) {
		CHECK(0);
		fake_clock = false;
		return;
	}
	/* Both sockets full, and root still in, read-only and read-write. */
	for (i = 0; i < 2; i++) {
		CHECK(tc_open(t.s, t.ro_path, &c[n++]));
		CHECK(tc_open(t.s, t.path, &c[n++]));
	}
	for (i = 0; i < DSR_CTL_ROOT_SLOTS; i++)
		CHECK(tc_open(t.s, i % 2 ? t.path : t.ro_path, &c[n++]));
	CHECK_EQ(dsr_ctl_clients(t.s), 4 + DSR_CTL_ROOT_SLOTS);
	CHECK_EQ(dsr_ctl_clients_ro(t.s), 2 + DSR_CTL_ROOT_SLOTS / 2);
	CHECK(refused(t.s, t.path, "ERR too many clients (2)\n"));
	CHECK(refused(t.s, t.ro_path, "ERR too many clients on the read-only socket (2)\n"));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_RO_REFUSED_UID), 0);
	/* Not closed for age. */
	fake_now = 5000;
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients(t.s), 4 + DSR_CTL_ROOT_SLOTS);
	CHECK_STR(tc_ask(t.s, &c[0], "who\n", 2), "who: ro 1 json 0\nOK\n");
	/* A root slot freed is root's again. */
	tc_close(&c[n - 1]);
	while (dsr_ctl_clients(t.s) == 4 + DSR_CTL_ROOT_SLOTS)
		dsr_ctl_poll(t.s, tnow());
	CHECK(tc_open(t.s, t.path, &c[n - 1]));
	for (i = 0; i < n; i++)
		tc_close(&c[i]);
	tsrv_close(&t);
	fake_clock = false;
}

static void
test_counter_names(void)
{
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_RW_REFUSED_FULL), "rw-refused-full");
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_RO_REFUSED_FULL), "ro-refused-full");
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_RO_REFUSED_UID), "ro-refused-uid");
	CHECK_STR(dsr_ctl_counter_name(DSR_CTL_RO_AGE_CLOSED), "ro-age-closed");
	CHECK_EQ(dsr_ctl_clients_ro(NULL), 0);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_many_clients), DSR_TEST(test_sockets_apart), DSR_TEST(test_ro_age),
		DSR_TEST(test_root_slots),   DSR_TEST(test_counter_names),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
