/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading a config file: regular files only, one command a line, applied
 * to a scratch copy so that a file with an error changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_pvt.h"
#include "dsr_conf.h"

/* One line read by read_line(). */
struct conf_line {
	char buf[DSR_CMD_LINE_MAX + 2]; /* the text, a CR and a NUL */
	size_t len;                     /* bytes kept in buf, the LF not counted */
	size_t total;                   /* bytes on the line, the LF not counted */
	int last;                       /* the last of them */
};

/*
 * Read up to and past the next LF, keeping what fits in l->buf and
 * counting the rest. @return 1 for a line, 0 at the end of the file, -1
 * on a read error.
 */
static int
read_line(FILE *f, struct conf_line *l)
{
	int c;

	l->len = 0;
	l->total = 0;
	l->last = EOF;
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			break;
		if (l->len < sizeof(l->buf) - 1)
			l->buf[l->len++] = (char)c;
		l->total++;
		l->last = c;
	}
	l->buf[l->len] = '\0';
	if (c == EOF && ferror(f))
		return -1;
	return c == EOF && l->total == 0 ? 0 : 1;
}

/*
 * Apply every line of f to conf. On error msg holds the reason and
 * *lineno the line, or 0 for a read error.
 */
static int
load_lines(struct dsr_conf *conf, FILE *f, unsigned int *lineno, char *msg, size_t msglen)
{
	struct conf_line *l = malloc(sizeof(*l));
	int r;

	*lineno = 0;
	if (l == NULL)
		return dsr_conf_err(msg, msglen, "%s", strerror(ENOMEM));
	while ((r = read_line(f, l)) > 0) {
		(*lineno)++;
		r = -1;
		if (l->total > l->len) {
			/* Too long for the buffer: give the full length, as dsr_cmd_parse_n() does. */
			dsr_conf_err(msg, msglen, "line too long (%zu bytes, max %d)",
				     l->total - (l->last == '\r'), DSR_CMD_LINE_MAX);
			break;
		}
		if (dsr_conf_apply_text(conf, l->buf, l->len, msg, msglen) < 0)
			break;
	}
	if (r < 0 && ferror(f)) {
		dsr_conf_err(msg, msglen, "%s", strerror(errno));
		*lineno = 0;
	}
	free(l);
	return r;
}

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a file";
}

/*
 * Open a config file for reading, refusing anything but a regular file
 * (or a link to one): reading a FIFO or a device would block start-up or
 * a reload with no message. stat() first gives the clear error; the open
 * is non-blocking (a FIFO swapped in meanwhile cannot block it) and
 * fstat() checks what was really opened.
 */
static FILE *
open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	if (stat(path, &st) != 0) {
		dsr_conf_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		dsr_conf_err(err, errlen, "%s: not a regular file (%s)", path,
			     file_kind(st.st_mode));
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		dsr_conf_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		dsr_conf_err(err, errlen, "%s: not a regular file (%s)", path,
			     file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	/* A regular file never blocks; clear the flag all the same. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "r");
	if (f == NULL) {
		dsr_conf_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int
dsr_conf_load_file(struct dsr_conf *conf, const char *path, char *err, size_t errlen)
{
	struct dsr_conf *scratch;
	char msg[DSR_CMD_ERR_MAX];
	unsigned int lineno = 0;
	FILE *f;
	int r;

	f = open_regular(path, err, errlen);
	if (f == NULL)
		return -1;
	scratch = malloc(sizeof(*scratch));
	if (scratch == NULL) {
		fclose(f);
		return dsr_conf_err(err, errlen, "%s: %s", path, strerror(ENOMEM));
	}
	memcpy(scratch, conf, sizeof(*scratch));
	msg[0] = '\0';
	r = load_lines(scratch, f, &lineno, msg, sizeof(msg));
	fclose(f);
	if (r == 0)
		memcpy(conf, scratch, sizeof(*conf));
	else if (lineno > 0)
		dsr_conf_err(err, errlen, "%s:%u: %s", path, lineno, msg);
	else
		dsr_conf_err(err, errlen, "%s: %s", path, msg);
	free(scratch);
	return r < 0 ? -1 : 0;
}
