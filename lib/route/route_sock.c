/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netlink socket: one request at a time, each answered (an ACK, or a
 * dump up to NLMSG_DONE) before the next, with a receive timeout so that
 * the main lcore never waits long on the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "dsr_common.h"
#include "route_pvt.h"

static uint32_t route_seq = 1; /* main lcore only */

int
dsr_route_open(char *err, size_t errlen)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 1};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open a netlink socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "cannot set up a netlink socket: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
dsr_route_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Send one request and read its answers to the end; routes go to fn. */
static int
route_talk(int fd, const uint8_t *req, int n, uint32_t seq, uint32_t table, dsr_route_fn fn,
	   void *arg)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	uint8_t *buf;
	int r = 0;

	if (n < 0)
		return -EINVAL;
	if (sendto(fd, req, (size_t)n, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != n)
		return -errno;
	buf = malloc(ROUTE_RECV_MAX);
	if (buf == NULL)
		return -ENOMEM;
	while (r == 0) {
		ssize_t got = recv(fd, buf, ROUTE_RECV_MAX, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got == 0 ? -EPIPE : -errno;
			break;
		}
		r = dsr_route_parse(buf, (size_t)got, seq, table, fn, arg);
	}
	free(buf);
	return r < 0 ? r : 0;
}

/* Add (add) or delete r: one request and its ACK; a delete of a missing route is fine. */
static int
route_change(int fd, const struct dsr_route *r, bool add, char *err, size_t errlen)
{
	uint8_t req[DSR_ROUTE_MSG_MAX];
	uint32_t seq = route_seq++;
	int n = add ? dsr_route_msg_add(r, seq, req, sizeof(req))
		    : dsr_route_msg_del(r, seq, req, sizeof(req));
	int e = route_talk(fd, req, n, seq, r->table, NULL, NULL);
	char s[64];

	/* Already gone (the interface went down, or someone removed it): fine. */
	if (e == 0 || (!add && e == -ESRCH))
		return 0;
	snprintf(err, errlen, "cannot %s route %s table %u: %s", add ? "add" : "delete",
		 dsr_route_str(r, s, sizeof(s)), r->table,
		 e == -EAGAIN ? "no answer from the kernel" : strerror(-e));
	return -1;
}

int
dsr_route_add(int fd, const struct dsr_route *r, char *err, size_t errlen)
{
	return route_change(fd, r, true, err, errlen);
}

int
dsr_route_del(int fd, const struct dsr_route *r, char *err, size_t errlen)
{
	return route_change(fd, r, false, err, errlen);
}

/* Routes found by a dump, to delete once it is read. */
struct route_found {
	struct dsr_route r[ROUTE_FLUSH_BATCH];
	unsigned int n;
	bool more;
};

static void
found_one(void *arg, const struct dsr_route *r)
{
	struct route_found *f = arg;

	if (f->n < ROUTE_FLUSH_BATCH)
		f->r[f->n++] = *r;
	else
		f->more = true;
}

int
dsr_route_flush(int fd, uint32_t table, unsigned int *n, char *err, size_t errlen)
{
	static const uint8_t families[] = {DSR_AF_IPV4, DSR_AF_IPV6};
	uint8_t req[DSR_ROUTE_MSG_MAX];
	struct route_found *f = malloc(sizeof(*f));
	bool del_failed = false;
	unsigned int k, i;
	int e = 0;

	*n = 0;
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (k = 0; k < DSR_DIM(families) && e == 0; k++) {
		do {
			uint32_t seq = route_seq++;

			f->n = 0;
			f->more = false;
			e = route_talk(fd, req,
				       dsr_route_msg_dump(families[k], seq, req, sizeof(req)), seq,
				       table, found_one, f);
			if (e < 0)
				snprintf(err, errlen, "cannot list the routes of table %u: %s",
					 table, strerror(-e));
			for (i = 0; i < f->n && e == 0 && !del_failed; i++) {
				f->r[i].ifindex = 0; /* whatever dev it has */
				del_failed = dsr_route_del(fd, &f->r[i], err, errlen) < 0;
				*n += !del_failed;
			}
		} while (e == 0 && !del_failed && f->more);
	}
	free(f);
	return e == 0 && !del_failed ? 0 : -1;
}
