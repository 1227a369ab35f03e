/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ctl: streaming and its bounds, clients that go away
 * or do not read, idle clients, peer checks (through
 * the DSR_CTL_TEST_UID hook), the read-only socket, and socket files.
 */

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "dsr_ctl.h"
#include "dsr_test.h"
#include "test_ctl_util.h"

/* Poll until the client's data ends with suffix (or EOF, or WAIT_MS). */
static bool
tc_wait_tail(struct dsr_ctl_server *s, struct tc *c, const char *suffix)
{
	size_t n = strlen(suffix);
	uint32_t t0 = real_ms();

	for (;;) {
		dsr_ctl_poll(s, tnow());
		tc_recv(c, SIZE_MAX);
		if (c->len - c->pos >= n && memcmp(c->buf + c->len - n, suffix, n) == 0)
			return true;
		if (c->eof || real_ms() - t0 > WAIT_MS)
			return false;
	}
}

/* Check that p holds rows "row: i 0 ..." up to count (exclusive), in order; return past them. */
static const char *
check_rows(const char *p, uint64_t count)
{
	char want[64];
	uint64_t i;

	for (i = 0; i < count; i++) {
		int n = snprintf(want, sizeof(want), "row: i %llu pad abcdefghij\n",
				 (unsigned long long)i);

		if (strncmp(p, want, (size_t)n) != 0) {
			fprintf(stderr, "row %llu: expected \"%s\", got \"%.40s\"\n",
				(unsigned long long)i, want, p);
			return NULL;
		}
		p += n;
	}
	return p;
}

/* Rows "row: i N ..." from 0 on, in order, as many as there are; return their count. */
static uint64_t
count_rows(const char **pp)
{
	const char *p = *pp;
	uint64_t i = 0;
	char want[64];

	for (;; i++) {
		int n = snprintf(want, sizeof(want), "row: i %llu pad abcdefghij\n",
				 (unsigned long long)i);

		if (strncmp(p, want, (size_t)n) != 0)
			break;
		p += n;
	}
	*pp = p;
	return i;
}

static void
test_stream_bounded(void)
{
	static const char head[] = "{\"rows\":[{\"kind\":\"row\",\"i\":0,\"pad\":\"abcdefghij\"},"
				   "{\"kind\":\"row\",\"i\":1,";
	const uint64_t nrows = 100000;
	struct tsrv t = {0};
	unsigned long iter = 0;
	const char *p;
	uint32_t t0;
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	CHECK(tc_sends(t.s, &a, "rows 100000\n"));
	/* A slow reader: 4000 bytes every fourth poll. */
	t0 = real_ms();
	while (a.nlines < 1 + nrows + 1 && !a.eof && real_ms() - t0 <= WAIT_MS) {
		dsr_ctl_poll(t.s, tnow());
		if (++iter % 4 == 0)
			tc_recv(&a, 4000);
	}
	CHECK_EQ(a.nlines, 1 + nrows + 1);
	p = check_rows(tc_take(&a), nrows);
	CHECK(p != NULL);
	CHECK_STR(p, "OK\n");
	/* The server produced while fewer than DSR_CTL_CHUNK bytes were queued, never more. */
	CHECK(th.row_max > 0 && th.row_max <= 28);
	CHECK(th.max_queued <= DSR_CTL_CHUNK + th.row_max);
	CHECK(th.max_entry_queued < DSR_CTL_CHUNK);
	CHECK(th.calls > 100); /* in many calls */
	CHECK_EQ(th.live, 0);
	CHECK_EQ(th.cancels, 0);
	/* JSON streams the same way and stays one valid document. */
	th_reset();
	CHECK(tc_sends(t.s, &a, "json rows 20000\n"));
	CHECK(tc_wait_tail(t.s, &a, "\n"));
	p = tc_take(&a);
	CHECK(js_valid(p));
	CHECK(strncmp(p, head, strlen(head)) == 0);
	CHECK(strstr(p, "{\"kind\":\"row\",\"i\":19999,\"pad\":\"abcdefghij\"}],\"status\":\"OK\"}"
			"\n") != NULL);
	CHECK(th.max_queued <= DSR_CTL_CHUNK + th.row_max + 16);
	CHECK_EQ(th.live, 0);
	tc_close(&a);
	tsrv_close(&t);
}

static void
test_disconnect_mid_stream(void)
{
	struct tsrv t = {0};
	struct tc a, b;
	uint32_t t0;

	if (!tsrv_open_client(&t, &a) || !tc_open(t.s, t.path, &b)) {
		CHECK(0);
		return;
	}
	CHECK(tc_sends(t.s, &a, "rows 100000000\n"));
	t0 = real_ms();
	while (a.len < 100000 && !a.eof && real_ms() - t0 <= WAIT_MS) {
		dsr_ctl_poll(t.s, tnow());
		tc_recv(&a, 1000);
	}
	CHECK(a.len >= 100000);
	CHECK_EQ(th.live, 1);
	CHECK_EQ(th.cancels, 0);
	tc_close(&a);
	t0 = real_ms();
	while (th.cancels == 0 && real_ms() - t0 <= WAIT_MS)
		dsr_ctl_poll(t.s, tnow());
	CHECK_EQ(th.cancels, 1);
	CHECK_EQ(th.live, 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_GONE), 1);
	CHECK_EQ(dsr_ctl_clients(t.s), 1);
	CHECK_STR(tc_ask(t.s, &b, "len a\n", 2), "len: n 5\nOK\n");
	tc_close(&b);
	tsrv_close(&t);
}

/* A handler that ignores DSR_CTL_CHUNK: the reply is cut at DSR_CTL_OUT_MAX. */
static void
test_overflow(void)
{
	static const char jerr[] =
		"],\"status\":\"ERR\",\"error\":\"reply too large: the client is not reading\"}\n";
	static const char err[] = "ERR reply too large: the client is not reading\n";
	struct tsrv t = {0};
	const char *p, *rows;
	uint64_t n;
	struct tc a;

	if (!tsrv_open_client(&t, &a)) {
		CHECK(0);
		return;
	}
	/* 100000 rows (2.7 MB) in one call, with state: cancelled. */
	CHECK(tc_sends(t.s, &a, "flood 100000\n"));
	CHECK(tc_wait_tail(t.s, &a, err));
	rows = p = tc_take(&a);
	n = count_rows(&p);
	CHECK_STR(p, err); /* whole rows, then the error */
	CHECK((size_t)(p - rows) <= DSR_CTL_OUT_MAX);
	CHECK((size_t)(p - rows) > DSR_CTL_OUT_MAX - 64);
	CHECK(n > 30000 && n < 100000);
	CHECK_EQ(th.cancels, 1);
	CHECK_EQ(th.live, 0);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_OUT_FULL), 1);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ERRORS), 1);
	/* The connection goes on. */
	CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
	/* JSON, no handler state: the document stays valid. */
	CHECK(tc_sends(t.s, &a, "json flooddone 60000\n"));
	CHECK(tc_wait_tail(t.s, &a, jerr));
	p = tc_take(&a);
	CHECK(js_valid(p));
	CHECK(strlen(p) <= DSR_CTL_OUT_MAX + sizeof(jerr));
	CHECK_EQ(th.cancels, 1);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_OUT_FULL), 2);
	/* Below the bound, MORE without reading is fine. */
	p = tc_ask(t.s, &a, "flood 3\n", 4);
	CHECK(check_rows(p, 3) != NULL && strcmp(check_rows(p, 3), "OK\n") == 0);
	CHECK_EQ(th.live, 0);
	tc_close(&a);
	tsrv_close(&t);
}

/* Idle clients, on a fake clock that wraps. */
static void
test_idle(void)
{
	const uint32_t t0 = 0xffffff00u;
	struct tsrv t = {0};
	struct tc a, b, c, d, e, f;
	uint32_t t1;

	fake_clock = true;
	fake_now = t0;
	if (tsrv_open(&t, NULL, 0, 200) == NULL || !tc_open(t.s, t.path, &a) ||
	    !tc_open(t.s, t.path, &b) || !tc_open(t.s, t.path, &c) || !tc_open(t.s, t.path, &d)) {
		CHECK(0);
		fake_clock = false;
		return;
	}
	/* c: a handler at work, nothing to send; d: a stream the client does not read. */
	CHECK(tc_sends(t.s, &c, "wait 4000000000\n"));
	CHECK(tc_sends(t.s, &d, "rows 100000000\n"));
	pump(t.s, NULL, 100);
	CHECK_EQ(th.live, 2);
	fake_now = t0 + 150;
	CHECK_STR(tc_ask(t.s, &b, "len a\n", 2), "len: n 5\nOK\n");
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients(t.s), 4);
	fake_now = t0 + 210; /* past 2^32 */
	pump(t.s, NULL, 20);
	CHECK(tc_wait_eof(t.s, &a));
	CHECK_STR(tc_take(&a), "");
	CHECK(tc_wait_eof(t.s, &d));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_IDLE_CLOSED), 2);
	CHECK_EQ(th.cancels, 1); /* d's stream */
	CHECK_EQ(dsr_ctl_clients(t.s), 2);
	fake_now = t0 + 310;
	CHECK_STR(tc_ask(t.s, &b, "len ab\n", 2), "len: n 6\nOK\n");
	fake_now = t0 + 509;
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients(t.s), 2);
	fake_now = t0 + 510;
	CHECK(tc_wait_eof(t.s, &b));
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_IDLE_CLOSED), 3);
	/* A clock that goes back closes nobody; c's handler still runs. */
	CHECK(tc_open(t.s, t.path, &e));
	fake_now = t0 - 1000;
	pump(t.s, NULL, 20);
	CHECK_EQ(dsr_ctl_clients(t.s), 2);
	CHECK_STR(tc_ask(t.s, &e, "len a\n", 2), "len: n 5\nOK\n");
	CHECK_EQ(th.live, 1);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_GONE), 0);
	/* A reply that takes longer than idle_ms to read is fine while the client reads. */
	CHECK(tc_open(t.s, t.path, &f));
	CHECK(tc_sends(t.s, &f, "rows 20000\n"));
	t1 = real_ms();
	while (f.nlines < 1 + 20000 + 1 && !f.eof && real_ms() - t1 <= WAIT_MS) {
		fake_now += 20;
		dsr_ctl_poll(t.s, tnow());
		tc_recv(&f, 2000);
	}
	CHECK_EQ(f.nlines, 1 + 20000 + 1);
	CHECK((uint32_t)(fake_now - (t0 - 1000)) > 2000);
	CHECK_EQ(th.live, 1);
	/* Closing the server cancels what runs. */
	dsr_ctl_close(t.s);
	t.s = NULL;
	CHECK_EQ(th.cancels, 2);
	CHECK_EQ(th.live, 0);
	tsrv_close(&t);
	tc_close(&a);
	tc_close(&b);
	tc_close(&c);
	tc_close(&d);
	tc_close(&e);
	tc_close(&f);
	fake_clock = false;
}

/* A group other than ours, and a user in it (not by its primary group), if any. */
static bool
other_group(char *name, size_t len, gid_t *gid, uid_t *member)
{
	struct group *gr;
	bool found = false;

	*member = (uid_t)-1;
	setgrent();
	while ((gr = getgrent()) != NULL) {
		unsigned int i;

		if (gr->gr_gid == getegid())
			continue;
		if (!found) {
			snprintf(name, len, "%s", gr->gr_name);
			*gid = gr->gr_gid;
			found = true;
		}
		for (i = 0; gr->gr_mem != NULL && gr->gr_mem[i] != NULL; i++) {
			struct passwd *pw = getpwnam(gr->gr_mem[i]);

			if (pw != NULL && pw->pw_uid != 0 && pw->pw_gid != gr->gr_gid) {
				snprintf(name, len, "%s", gr->gr_name);
				*gid = gr->gr_gid;
				*member = pw->pw_uid;
				endgrent();
				return true;
			}
		}
	}
	endgrent();
	return found;
}

static void
test_refused_peer(void)
{
	char group[64], own[64], uid[32];
	struct group *gr = getgrgid(getegid());
	struct tsrv t = {0};
	struct tc a;
	uid_t member;
	gid_t gid;

	snprintf(own, sizeof(own), "%s", gr != NULL ? gr->gr_name : "root");
	setenv("DSR_CTL_TEST_UID", "4242424", 1);
	/* The group does not exist. */
	if (tsrv_open(&t, "dsrlb-no-such-group", 0, 0) == NULL || !tc_connect(t.s, t.path, &a)) {
		CHECK(0);
		unsetenv("DSR_CTL_TEST_UID");
		return;
	}
	CHECK(tc_wait_eof(t.s, &a));
	CHECK_STR(tc_take(&a), "ERR permission denied: uid 4242424 is not root "
			       "(group dsrlb-no-such-group does not exist)\n");
	tc_close(&a);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REFUSED_PEER), 1);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_ACCEPTED), 0);
	CHECK_EQ(dsr_ctl_clients(t.s), 0);
	/* The read-only socket takes anyone. */
	CHECK(tc_open(t.s, t.ro_path, &a));
	CHECK_STR(tc_ask(t.s, &a, "who\n", 2), "who: ro 1 json 0\nOK\n");
	CHECK_EQ(th.last.uid, 4242424);
	tc_close(&a);
	tsrv_close(&t);
	/* A group we are not in. */
	if (other_group(group, sizeof(group), &gid, &member)) {
		if (tsrv_open(&t, group, 0, 0) != NULL && tc_connect(t.s, t.path, &a)) {
			char want[160];

			snprintf(want, sizeof(want),
				 "ERR permission denied: uid 4242424 is neither root nor in group "
				 "%s\n",
				 group);
			CHECK(tc_wait_eof(t.s, &a));
			CHECK_STR(tc_take(&a), want);
			tc_close(&a);
			CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REFUSED_PEER), 1);
		} else {
			CHECK(0);
		}
		tsrv_close(&t);
		/* A supplementary member of it gets in (getgrouplist). */
		if (member != (uid_t)-1) {
			snprintf(uid, sizeof(uid), "%u", (unsigned int)member);
			setenv("DSR_CTL_TEST_UID", uid, 1);
			CHECK(tsrv_open(&t, group, 0, 0) != NULL && tc_open(t.s, t.path, &a));
			CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
			tc_close(&a);
			tsrv_close(&t);
			setenv("DSR_CTL_TEST_UID", "4242424", 1);
		} else {
			printf("     (no supplementary group member to test getgrouplist with)\n");
		}
	}
	/* Our own group: the peer's gid matches. */
	CHECK(tsrv_open(&t, own, 0, 0) != NULL && tc_open(t.s, t.path, &a));
	CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
	CHECK_EQ(th.last.uid, 4242424);
	CHECK_EQ(dsr_ctl_counter(t.s, DSR_CTL_REFUSED_PEER), 0);
	tc_close(&a);
	tsrv_close(&t);
	/* Without the hook, root gets in whatever the group. */
	unsetenv("DSR_CTL_TEST_UID");
	if (geteuid() == 0) {
		CHECK(tsrv_open(&t, "dsrlb-no-such-group", 0, 0) != NULL &&
		      tc_open(t.s, t.path, &a));
		CHECK_STR(tc_ask(t.s, &a, "len a\n", 2), "len: n 5\nOK\n");
		tc_close(&a);
		tsrv_close(&t);
	}
}

static void
test_read_only(void)
{
	struct tsrv t = {0};
	struct tc a, b;

	if (tsrv_open(&t, NULL, 0, 0) == NULL || !tc_open(t.s, t.ro_path, &a) ||
	    !tc_open(t.s, t.path, &b)) {
		CHECK(0);
		return;
	}
	CHECK_STR(tc_ask(t.s, &a, "who\n", 2), "who: ro 1 json 0\nOK\n");
	CHECK(th.last.read_only);
	CHECK_EQ(th.last.uid, geteuid());
	CHECK_EQ(th.last.gid, getegid());
	CHECK_EQ(th.last.pid, getpid());
	CHECK_STR(tc_ask(t.s, &a, "json who\n", 1),
		  "{\"rows\":[{\"kind\":\"who\",\"ro\":1,\"json\":1}],\"status\":\"OK\"}\n");
	CHECK(th.last.read_only);
	CHECK_STR(tc_ask(t.s, &b, "who\n", 2), "who: ro 0 json 0\nOK\n");
	CHECK(!th.last.read_only);
	tc_close(&a);
	tc_close(&b);
	tsrv_close(&t);
}

static mode_t
mode_of(const char *path, struct stat *st)
{
	if (stat(path, st) != 0)
		return 0;
	return st->st_mode & 07777;
}

static void
test_socket_files(void)
{
	struct dsr_ctl_params p = {0};
	struct dsr_ctl_server *s, *s2;
	char group[64], path[200], sub[160], file[160], want[300], err[300];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tsrv t = {0};
	struct stat st;
	mode_t old_umask;
	uid_t member;
	gid_t gid;
	struct tc a;
	int fd;

	if (!tsrv_dir(&t) || !other_group(group, sizeof(group), &gid, &member)) {
		CHECK(0);
		return;
	}
	th_reset();
	/* Missing directories are made (0755 whatever the umask); modes 0660 and 0666. */
	snprintf(sub, sizeof(sub), "%s/run/dsrlb", t.dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);
	p.path = path;
	p.ro_path = t.ro_path;
	p.group = group;
	old_umask = umask(077);
	s = dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err));
	umask(old_umask);
	CHECK(s != NULL);
	CHECK_EQ(mode_of(sub, &st), 0755);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(mode_of(path, &st), 0660);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_gid, gid);
	if (geteuid() == 0)
		CHECK_EQ(st.st_uid, 0);
	CHECK_EQ(mode_of(t.ro_path, &st), 0666);
	CHECK(S_ISSOCK(st.st_mode));
	/* Another server on the same path: an error, and the first one still works. */
	s2 = dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err));
	CHECK(s2 == NULL);
	snprintf(want, sizeof(want), "control socket %s is in use by another process", path);
	CHECK_STR(err, want);
	/* ... also when only its read-only path is taken; its own path is removed again. */
	snprintf(file, sizeof(file), "%s/other.sock", t.dir);
	p.path = file;
	s2 = dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err));
	CHECK(s2 == NULL);
	snprintf(want, sizeof(want), "control socket %s is in use by another process", t.ro_path);
	CHECK_STR(err, want);
	CHECK(stat(file, &st) != 0);
	p.path = path;
	if (s != NULL) {
		CHECK(tc_open(s, path, &a));
		CHECK_STR(tc_ask(s, &a, "len a\n", 2), "len: n 5\nOK\n");
		tc_close(&a);
		CHECK(tc_open(s, t.ro_path, &a));
		CHECK_STR(tc_ask(s, &a, "len a\n", 2), "len: n 5\nOK\n");
		tc_close(&a);
	}
	/* Closing removes both files. */
	dsr_ctl_close(s);
	CHECK(stat(path, &st) != 0);
	CHECK(stat(t.ro_path, &st) != 0);
	/* A group that does not exist leaves the file's group as it is. */
	p.group = "dsrlb-no-such-group";
	s = dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err));
	CHECK(s != NULL);
	CHECK_EQ(mode_of(path, &st), 0660);
	CHECK_EQ(st.st_gid, getegid());
	dsr_ctl_close(s);
	/* A stale socket file (nobody listening) is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	s = dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err));
	CHECK(s != NULL);
	if (s != NULL) {
		CHECK(tc_open(s, path, &a));
		CHECK_STR(tc_ask(s, &a, "len a\n", 2), "len: n 5\nOK\n");
		tc_close(&a);
	}
	dsr_ctl_close(s);
	/* Anything else at the path is not touched. */
	snprintf(file, sizeof(file), "%s/regular", t.dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);
	p.path = file;
	CHECK(dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "control socket %s: the file exists and is not a socket",
		 file);
	CHECK_STR(err, want);
	CHECK(stat(file, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(stat(t.ro_path, &st) != 0);
	/* A path too long for sun_path. */
	memset(file, 'a', sizeof(file) - 1);
	file[0] = '/';
	file[sizeof(file) - 1] = '\0';
	CHECK(dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "too long") != NULL);
	/* Missing arguments. */
	p.path = NULL;
	CHECK(dsr_ctl_open(&p, th_handler, th_cancel, NULL, err, sizeof(err)) == NULL);
	p.path = path;
	CHECK(dsr_ctl_open(&p, NULL, th_cancel, NULL, err, sizeof(err)) == NULL);
	CHECK(stat(path, &st) != 0);
	tdir_remove(t.dir);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_stream_bounded), DSR_TEST(test_disconnect_mid_stream),
		DSR_TEST(test_overflow),       DSR_TEST(test_idle),
		DSR_TEST(test_refused_peer),   DSR_TEST(test_read_only),
		DSR_TEST(test_socket_files),
	};

	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
