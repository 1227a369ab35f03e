/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/conf against a careless operator (issue 13): backend
 * MACs that are not unicast, backend addresses that are the balancer's
 * own, a second address for a port, and config files that are not
 * regular files. Each error has its exact message and leaves the state
 * as it was.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsr_conf.h"
#include "dsr_test.h"
#include "test_conf_util.h"

/* Item 4: a backend MAC must be unicast and not all zeros. */
static void
test_backend_mac_unicast(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac ff:ff:ff:ff:ff:ff",
		  "backend 10.0.0.21 mac ff:ff:ff:ff:ff:ff is broadcast: give the backend's own "
		  "unicast MAC");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac 01:00:5e:00:00:01",
		  "backend 10.0.0.21 mac 01:00:5e:00:00:01 is multicast: give the backend's own "
		  "unicast MAC");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac 33:33:00:00:00:01",
		  "backend 10.0.0.21 mac 33:33:00:00:00:01 is multicast: give the backend's own "
		  "unicast MAC");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac 00:00:00:00:00:00",
		  "backend 10.0.0.21 mac 00:00:00:00:00:00 is all zeros: give the backend's own "
		  "unicast MAC");
	/* Locally administered unicast (02:...) is fine, as are vendor MACs. */
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01");
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.0.0.22 mac 00:1b:21:0a:0b:0c");
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.0.0.23");
	free(c);
}

/* Item 4: a backend may not be the balancer's own address: a port's or a VIP's. */
static void
test_backend_not_own_address(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_OK(c, "port 1 address 10.1.0.2/24");
	APPLY_OK(c, "vip add 10.0.0.100:80/tcp");
	APPLY_OK(c, "vip add 10.0.0.101:53/udp");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.2",
		  "backend 10.0.0.2 is the address of port 0: a backend cannot be the balancer "
		  "itself");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.1.0.2 mac 02:00:00:00:b1:01",
		  "backend 10.1.0.2 is the address of port 1: a backend cannot be the balancer "
		  "itself");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.100",
		  "backend 10.0.0.100 is VIP 10.0.0.100:80/tcp: a backend cannot be the balancer "
		  "itself");
	APPLY_ERR(c, "backend add 10.0.0.100:80/tcp 10.0.0.101",
		  "backend 10.0.0.101 is VIP 10.0.0.101:53/udp: a backend cannot be the balancer "
		  "itself");
	APPLY_OK(c, "backend add 10.0.0.100:80/tcp 10.0.0.21");
	/* Nor may a later VIP or port take a backend's address. */
	APPLY_ERR(c, "vip add 10.0.0.21:443/tcp",
		  "VIP 10.0.0.21:443/tcp is the address of backend 10.0.0.21 of VIP "
		  "10.0.0.100:80/tcp");
	APPLY_ERR(c, "port 2 address 10.0.0.21/24",
		  "port 2 address 10.0.0.21 is the address of backend 10.0.0.21 of VIP "
		  "10.0.0.100:80/tcp");
	/* A VIP on another port of the same address stays possible. */
	APPLY_OK(c, "vip add 10.0.0.100:443/tcp");
	free(c);
}

/* Item 6: a second address for a port is refused, as a second identical VIP is. */
static void
test_port_address_once(void)
{
	struct dsr_conf *c = conf_new();

	APPLY_OK(c, "port 0 address 10.0.0.2/24");
	APPLY_ERR(c, "port 0 address 10.0.0.3/24",
		  "port 0 already has address 10.0.0.2/24 (one address per port)");
	APPLY_ERR(c, "port 0 address 10.0.0.2/24",
		  "port 0 already has address 10.0.0.2/24 (one address per port)");
	APPLY_ERR(c, "port 0 address 10.9.0.2/16",
		  "port 0 already has address 10.0.0.2/24 (one address per port)");
	APPLY_OK(c, "port 1 address 10.1.0.2/24");
	CHECK_EQ(c->ports[0].ip, inet_addr("10.0.0.2"));
	CHECK_EQ(c->ports[0].prefix_len, 24);
	free(c);
}

/* Write data to a new file under /tmp; the caller unlinks path. */
static void
write_tmp(char path[64], const char *data)
{
	size_t n = strlen(data);
	int fd;

	snprintf(path, 64, "/tmp/dsr_test_conf_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* Item 6 in a file: FILE:LINE names the second line. */
static void
test_port_address_once_file(void)
{
	struct dsr_conf *c = conf_new();
	char path[64], want[160], err[DSR_CMD_ERR_MAX] = "";

	write_tmp(path, "port 0 address 10.0.0.2/24\n"
			"vip add 10.0.0.100:80/tcp\n"
			"port 0 address 10.0.0.3/24\n");
	CHECK_EQ(dsr_conf_load_file(c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s:3: port 0 already has address 10.0.0.2/24 (one address "
		 "per port)",
		 path);
	CHECK_STR(err, want);
	CHECK(!c->ports[0].has_addr);
	unlink(path);
	free(c);
}

/*
 * Item 8: a config file that is not a regular file is refused at once
 * with a clear message; a FIFO with no writer used to block open() or
 * the first read for ever. The load runs in a child, killed by an
 * alarm, so that the test fails rather than hangs.
 */
static void
load_special(const char *path, const char *what)
{
	char want[160];
	int pfd[2];
	pid_t pid;

	snprintf(want, sizeof(want), "%s: not a regular file (%s)", path, what);
	if (pipe(pfd) != 0) {
		perror("pipe");
		exit(2);
	}
	pid = fork();
	if (pid == 0) {
		struct dsr_conf *c = conf_new();
		char err[DSR_CMD_ERR_MAX] = "";
		int r;

		close(pfd[0]);
		alarm(5);
		r = dsr_conf_load_file(c, path, err, sizeof(err));
		if (write(pfd[1], err, strlen(err)) < 0)
			_exit(3);
		_exit(r == -1 ? 0 : 1);
	}
	close(pfd[1]);
	{
		char got[DSR_CMD_ERR_MAX] = "";
		ssize_t n = read(pfd[0], got, sizeof(got) - 1);
		int st = 0;

		got[n > 0 ? n : 0] = '\0';
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st))
			fprintf(stderr, "%s: the load of %s did not return (signal %d)\n", __func__,
				path, WTERMSIG(st));
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHECK_STR(got, want);
	}
	close(pfd[0]);
}

static void
test_not_regular_file(void)
{
	char dir[] = "/tmp/dsr_test_conf_dirXXXXXX", fifo[64], sock[64];
	struct sockaddr_un sa;
	int s;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(fifo, sizeof(fifo), "%s/fifo.conf", dir);
	snprintf(sock, sizeof(sock), "%s/sock.conf", dir);
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	load_special(fifo, "a FIFO");
	load_special(dir, "a directory");
	load_special("/dev/null", "a character device");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	load_special(sock, "a socket");
	close(s);
	unlink(sock);
	unlink(fifo);
	rmdir(dir);
}

/* A symbolic link to a regular file is still a regular file. */
static void
test_symlink_to_regular_file(void)
{
	struct dsr_conf *c = conf_new();
	char path[64], link[80], err[DSR_CMD_ERR_MAX] = "";

	write_tmp(path, "vip add 10.0.0.100:80/tcp\n");
	snprintf(link, sizeof(link), "%s.link", path);
	CHECK_EQ(symlink(path, link), 0);
	CHECK_EQ(dsr_conf_load_file(c, link, err, sizeof(err)), 0);
	CHECK(c->vips[0].used);
	unlink(link);
	unlink(path);
	free(c);
}

/* Item 7: a reload that would remove every VIP needs --allow-empty. */
static void
test_reload_empty(void)
{
	struct dsr_conf *run = conf_new(), *want = conf_new();
	char err[DSR_CMD_ERR_MAX] = "";

	/* Nothing running: an empty file changes nothing and is fine. */
	CHECK_EQ(dsr_conf_check_reload(run, want, false, err, sizeof(err)), 0);
	APPLY_OK(run, "vip add 10.0.0.100:80/tcp");
	APPLY_OK(run, "vip add 10.0.0.101:80/tcp");
	CHECK_EQ(dsr_conf_vip_count(run), 2);
	CHECK_EQ(dsr_conf_vip_count(want), 0);
	CHECK_EQ(dsr_conf_check_reload(run, want, false, err, sizeof(err)), -1);
	CHECK_STR(err, "the file has no VIP: it would remove all 2 VIPs; refused (start dsrlb "
		       "with --allow-empty to allow this, or remove VIPs with 'vip del')");
	CHECK_EQ(dsr_conf_check_reload(run, want, true, err, sizeof(err)), 0);
	/* Removing some but not all is an ordinary change. */
	APPLY_OK(want, "vip add 10.0.0.102:80/tcp");
	CHECK_EQ(dsr_conf_check_reload(run, want, false, err, sizeof(err)), 0);
	free(run);
	free(want);
}

int
main(void)
{
	static const struct dsr_test_case cases[] = {
		DSR_TEST(test_backend_mac_unicast), DSR_TEST(test_backend_not_own_address),
		DSR_TEST(test_port_address_once),   DSR_TEST(test_port_address_once_file),
		DSR_TEST(test_not_regular_file),    DSR_TEST(test_symlink_to_regular_file),
		DSR_TEST(test_reload_empty),
	};

	signal(SIGPIPE, SIG_IGN);
	return dsr_test_run(cases, sizeof(cases) / sizeof(cases[0]));
}
