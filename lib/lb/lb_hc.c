/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tcp and http checks: a non-blocking TCP connect from a port's kernel
 * interface (bound to the port's address of the backend's family and to
 * the interface) to the backend's own IP and the check's port; http then sends one GET and reads
 * the status line. The main lcore's health tick drives them: one poll()
 * without waiting over every check in flight, at most one per backend,
 * at most DSR_LB_HC_ANSWER bytes read of each answer.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "dsr_lb.h"
#include "lb_pvt.h"

enum { HC_CONNECTING = 0, HC_READING };

/*
 * The port to check backend b from: the one whose subnet of the backend's
 * family holds it if that has a kernel interface, else the first with an
 * address of that family and a kernel interface.
 */
static int
hc_port(const struct dsr_lb *lb, const struct dsr_conf_backend *cb)
{
	bool v6 = cb->family == DSR_AF_IPV6;
	int p = v6 ? dsr_conf_port_of6(lb->conf, cb->ip6) : dsr_conf_port_of(lb->conf, cb->ip);
	unsigned int i;

	if (p >= 0 && dsr_lb_kernel_if(lb, (uint16_t)p) != NULL)
		return p;
	for (i = 0; i < lb->nb_ports; i++)
		if ((v6 ? lb->conf->ports[i].has_addr6 : lb->conf->ports[i].has_addr) &&
		    dsr_lb_kernel_if(lb, (uint16_t)i) != NULL)
			return (int)i;
	return -1;
}

void
dsr_lb_hc_close(struct dsr_lb *lb, unsigned int b)
{
	struct dsr_lb_hc *hc = &lb->health->hc[b];

	if (hc->fd >= 0)
		close(hc->fd);
	hc->fd = -1;
	hc->got = 0;
}

void
dsr_lb_hc_fini(struct dsr_lb *lb)
{
	unsigned int b;

	if (lb->health == NULL)
		return;
	for (b = 0; b < DSR_MAX_BACKENDS; b++)
		dsr_lb_hc_close(lb, b);
}

/* End backend b's check: close, and record the result. */
static void
hc_done(struct dsr_lb *lb, unsigned int b, bool ok, const char *why)
{
	uint64_t tsc = rte_rdtsc() - lb->health->probe[b].sent_tsc;

	dsr_lb_hc_close(lb, b);
	dsr_lb_health_record(lb, b, ok, (uint32_t)(tsc * 1000000 / rte_get_tsc_hz()), why);
}

/* The same for a failed system call: the error's text, in lower case ("connection refused"). */
static void
hc_fail_errno(struct dsr_lb *lb, unsigned int b, int err)
{
	char why[DSR_HEALTH_WHY_MAX];

	snprintf(why, sizeof(why), "%s", strerror(err));
	why[0] = (char)tolower((unsigned char)why[0]);
	hc_done(lb, b, false, why);
}

/* Connected: a tcp check has passed; an http check sends its request. */
static void
hc_connected(struct dsr_lb *lb, unsigned int b, const struct dsr_check *k)
{
	struct dsr_lb_hc *hc = &lb->health->hc[b];
	const struct dsr_conf_backend *cb = &lb->conf->backends[b];
	char req[DSR_HEALTH_HTTP_REQ_MAX], ip[DSR_IP6_STR_LEN], host[DSR_IP6_STR_LEN + 2];
	ssize_t n;
	int len;

	if (k->kind == DSR_CHECK_TCP) {
		hc_done(lb, b, true, NULL);
		return;
	}
	/* An IPv6 literal in Host is bracketed (RFC 3986). */
	dsr_addr_str(cb->family, cb->ip, cb->ip6, ip);
	snprintf(host, sizeof(host), cb->family == DSR_AF_IPV6 ? "[%s]" : "%s", ip);
	len = dsr_health_http_request(req, sizeof(req), k->path, host);
	if (len < 0) {
		hc_done(lb, b, false, "request too long");
		return;
	}
	/* A few hundred bytes into a new connection's empty buffer: all or an error. */
	n = send(hc->fd, req, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		hc_fail_errno(lb, b, errno);
		return;
	}
	if (n != len) {
		hc_done(lb, b, false, "request cut short");
		return;
	}
	hc->phase = HC_READING;
}

/* Read what has come of the answer; judge it once its status code is there. */
static void
hc_read(struct dsr_lb *lb, unsigned int b, const struct dsr_check *k)
{
	struct dsr_lb_hc *hc = &lb->health->hc[b];
	char why[DSR_HEALTH_WHY_MAX];
	ssize_t n;
	int code;

	n = recv(hc->fd, hc->answer + hc->got, sizeof(hc->answer) - hc->got, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			hc_fail_errno(lb, b, errno);
		return;
	}
	hc->got = (uint16_t)(hc->got + n);
	code = dsr_health_http_status(hc->answer, hc->got);
	if (code < 0 || (code == 0 && (n == 0 || hc->got == sizeof(hc->answer)))) {
		hc_done(lb, b, false,
			code == 0 && n == 0 ? "closed before a status line"
					    : "no HTTP status line");
		return;
	}
	if (code == 0)
		return;
	if (code == k->expect) {
		hc_done(lb, b, true, NULL);
		return;
	}
	snprintf(why, sizeof(why), "status %d", code);
	hc_done(lb, b, false, why);
}

/* Backend b's address and the port's (source) as sockets want them; their length. */
static socklen_t
hc_addrs(const struct dsr_lb *lb, const struct dsr_conf_backend *cb, int port, uint16_t dport,
	 struct sockaddr_storage *src, struct sockaddr_storage *dst)
{
	const struct dsr_conf_port *cp = &lb->conf->ports[port];

	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (cb->family == DSR_AF_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)src,
				    *d6 = (struct sockaddr_in6 *)dst;

		s6->sin6_family = AF_INET6;
		d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, cp->ip6, 16);
		memcpy(&d6->sin6_addr, cb->ip6, 16);
		d6->sin6_port = htons(dport);
		return sizeof(struct sockaddr_in6);
	}
	((struct sockaddr_in *)src)->sin_family = AF_INET;
	((struct sockaddr_in *)src)->sin_addr.s_addr = cp->ip;
	((struct sockaddr_in *)dst)->sin_family = AF_INET;
	((struct sockaddr_in *)dst)->sin_addr.s_addr = cb->ip;
	((struct sockaddr_in *)dst)->sin_port = htons(dport);
	return sizeof(struct sockaddr_in);
}

/* Start backend b's check, or record why it cannot start. */
static void
hc_start(struct dsr_lb *lb, unsigned int b, const struct dsr_check *k)
{
	const struct dsr_conf_backend *cb = &lb->conf->backends[b];
	struct dsr_lb_hc *hc = &lb->health->hc[b];
	struct sockaddr_storage src, dst;
	const struct dsr_lb_kif *kif;
	int port = hc_port(lb, cb);
	socklen_t alen;
	int fd;

	lb->health->probe[b].sent_tsc = rte_rdtsc();
	if (port < 0) {
		dsr_lb_health_record(lb, b, false, 0,
				     cb->family == DSR_AF_IPV6
					     ? "no kernel interface with an IPv6 address"
					     : "no kernel interface with an address");
		return;
	}
	kif = dsr_lb_kernel_if(lb, (uint16_t)port);
	alen = hc_addrs(lb, cb, port,
			k->port != 0 ? k->port : ntohs(lb->conf->vips[cb->vip].svc.port), &src,
			&dst);
	fd = socket(src.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		hc_fail_errno(lb, b, errno);
		return;
	}
	hc->fd = fd;
	hc->got = 0;
	hc->phase = HC_CONNECTING;
	/* Through the kernel interface, even where another interface has a route too. */
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, kif->name, strlen(kif->name)) != 0 ||
	    bind(fd, (const struct sockaddr *)&src, alen) != 0) {
		hc_fail_errno(lb, b, errno);
		return;
	}
	if (connect(fd, (const struct sockaddr *)&dst, alen) == 0)
		hc_connected(lb, b, k);
	else if (errno != EINPROGRESS)
		hc_fail_errno(lb, b, errno);
}

void
dsr_lb_hc_poll(struct dsr_lb *lb)
{
	static struct pollfd pfd[DSR_MAX_BACKENDS];
	static uint16_t who[DSR_MAX_BACKENDS];
	struct dsr_lb_health *h = lb->health;
	unsigned int b, i, n = 0;
	int err;
	socklen_t elen;

	for (b = 0; b < DSR_MAX_BACKENDS; b++) {
		if (h->hc[b].fd < 0)
			continue;
		pfd[n].fd = h->hc[b].fd;
		pfd[n].events = h->hc[b].phase == HC_CONNECTING ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		who[n++] = (uint16_t)b;
	}
	if (n == 0 || poll(pfd, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		const struct dsr_check *k;

		b = who[i];
		if (pfd[i].revents == 0 || h->hc[b].fd != pfd[i].fd)
			continue;
		k = &lb->conf->vips[lb->conf->backends[b].vip].check;
		if (h->hc[b].phase == HC_READING) {
			hc_read(lb, b, k);
			continue;
		}
		err = 0;
		elen = sizeof(err);
		if (getsockopt(pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
			err = errno;
		if (err != 0)
			hc_fail_errno(lb, b, err);
		else if (pfd[i].revents & POLLOUT)
			hc_connected(lb, b, k);
		else
			hc_done(lb, b, false, "connection failed");
	}
}

void
dsr_lb_hc_step(struct dsr_lb *lb, unsigned int b, const struct dsr_check *k, uint32_t now_ms)
{
	struct dsr_lb_probe *pr = &lb->health->probe[b];

	if (lb->health->hc[b].fd >= 0 &&
	    (int32_t)(now_ms - pr->sent_ms) >= (int32_t)k->timeout_ms) {
		dsr_lb_hc_close(lb, b);
		dsr_lb_health_record(lb, b, false, k->timeout_ms * 1000, "timeout");
	}
	if (lb->health->hc[b].fd < 0 && (int32_t)(now_ms - pr->next_ms) >= 0) {
		pr->next_ms = now_ms + k->interval_ms;
		pr->sent_ms = now_ms;
		hc_start(lb, b, k);
	}
}
