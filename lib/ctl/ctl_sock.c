/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket files and peer credentials: creating a listening socket at a
 * path (its directory, a stale file, mode and owner) and telling whether
 * a peer may use the read-write socket.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_pvt.h"

#define CTL_BACKLOG 64

/* Create the directories of path that are missing (mode 0755). */
static int
ctl_mkparent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			if (chmod(dir, 0755) != 0) /* whatever the umask */
				return -1;
		} else if (errno != EEXIST) {
			return -1;
		}
		if (last)
			return 0;
		*p = '/';
	}
}

static void
ctl_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, strlen(path) + 1);
}

/* Whether someone listens on the socket file at path: 1 yes, 0 no, -1 error. */
static int
ctl_probe(const char *path)
{
	struct sockaddr_un sa;
	int fd, r, e;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ctl_addr(&sa, path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS) /* EAGAIN: its backlog is full */
		return 1;
	if (e == ECONNREFUSED || e == ENOENT)
		return 0;
	errno = e;
	return -1;
}

int
ctl_sock_listen(const char *path, mode_t mode, gid_t gid, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	const char *what;
	int fd, r;

	if (path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen,
			 "control socket path '%s' is empty or too long (max %zu bytes)", path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (ctl_mkparent(path) != 0) {
		snprintf(err, errlen, "cannot create the directory of control socket %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen,
				 "control socket %s: the file exists and is not a socket", path);
			return -1;
		}
		r = ctl_probe(path);
		if (r != 0) {
			if (r > 0)
				snprintf(err, errlen,
					 "control socket %s is in use by another process", path);
			else
				snprintf(err, errlen, "cannot check control socket %s: %s", path,
					 strerror(errno));
			return -1;
		}
		if (unlink(path) != 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove stale control socket %s: %s", path,
				 strerror(errno));
			return -1;
		}
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "cannot stat control socket %s: %s", path, strerror(errno));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket %s: socket: %s", path, strerror(errno));
		return -1;
	}
	ctl_addr(&sa, path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "cannot bind control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Nobody can connect before listen(): set the mode and owner first. */
	what = "chmod";
	if (chmod(path, mode) != 0)
		goto fail;
	what = "chown";
	if ((geteuid() == 0 || gid != (gid_t)-1) &&
	    chown(path, geteuid() == 0 ? 0 : (uid_t)-1, gid) != 0)
		goto fail;
	what = "listen";
	if (listen(fd, CTL_BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot %s control socket %s: %s", what, path, strerror(errno));
	close(fd);
	unlink(path);
	return -1;
}

bool
ctl_sock_group(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[16384];

	if (name == NULL || name[0] == '\0')
		return false;
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	*gid = gr.gr_gid;
	return true;
}

/* Whether user uid (primary group gid) has group want among its supplementary groups. */
static bool
ctl_user_in_group(uid_t uid, gid_t gid, gid_t want)
{
	struct passwd pw, *res = NULL;
	gid_t *groups;
	char *buf;
	int ng = 64, i;
	bool in = false;

	buf = malloc(16384);
	if (buf == NULL)
		return false;
	if (getpwuid_r(uid, &pw, buf, 16384, &res) != 0 || res == NULL) {
		free(buf);
		return false;
	}
	groups = malloc(sizeof(*groups) * (size_t)ng);
	while (groups != NULL && getgrouplist(pw.pw_name, gid, groups, &ng) < 0) {
		gid_t *g = realloc(groups, sizeof(*groups) * (size_t)ng);

		if (g == NULL) {
			free(groups);
			groups = NULL;
		} else {
			groups = g;
		}
	}
	for (i = 0; groups != NULL && i < ng && !in; i++)
		in = groups[i] == want;
	free(groups);
	free(buf);
	return in;
}

bool
ctl_sock_peer_ok(uid_t uid, gid_t gid, bool has_group, gid_t group)
{
	if (uid == 0)
		return true;
	if (!has_group)
		return false;
	return gid == group || ctl_user_in_group(uid, gid, group);
}
