/* `cinfra-shim proxy STATEDIR RULE…` with RULE = proto:hostip:hostport:targetip:targetport.
 * Publishes container ports on the host (docker-proxy's model): binds every listener first, reports
 * "ok" / "err <step> <errno>" on fd 3, detaches, and forwards with one epoll loop, no threads.
 * TCP streams are relayed with half-close; UDP datagrams through one connected socket per client. */
#define _GNU_SOURCE
#include "proxy.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_RULES 32
#define BUF 65536

enum kind { LISTENER, STREAM, UDP_LISTENER, UDP_PEER };

struct rule {
	int udp;
	struct sockaddr_in host, target;
};

struct conn {
	enum kind kind;
	int fd;
	struct conn *peer;          /* STREAM: the other side; UDP_PEER: unused */
	struct rule *rule;
	struct sockaddr_in client;  /* UDP_PEER: whom replies go to */
	int listener;               /* UDP_PEER: the host socket replies leave from */
	char buf[BUF];              /* STREAM: bytes read from this side, waiting for the peer */
	size_t len, off;
	int eof;
	int closed;                 /* freed only after the current epoll batch: later events may name it */
	struct conn *next_dead;
};

static struct conn *dead;

static int ep;

static int parse_addr(const char *ip, const char *port, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((unsigned short)atoi(port));
	return inet_pton(AF_INET, ip, &out->sin_addr) == 1 ? 0 : -1;
}

static int parse_rule(char *text, struct rule *r)
{
	char *f[5];
	for (int i = 0; i < 5; i++) {
		f[i] = strsep(&text, ":");
		if (!f[i])
			return -1;
	}
	r->udp = !strcmp(f[0], "udp");
	return parse_addr(f[1], f[2], &r->host) < 0 || parse_addr(f[3], f[4], &r->target) < 0 ? -1 : 0;
}

static struct conn *watch(enum kind kind, int fd, struct rule *rule, unsigned events)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = kind;
	c->fd = fd;
	c->rule = rule;
	struct epoll_event ev = { .events = events, .data.ptr = c };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	return c;
}

static void close_conn(struct conn *c)
{
	if (!c || c->closed)
		return;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->peer)
		c->peer->peer = NULL;
	c->closed = 1;
	c->next_dead = dead;
	dead = c;
}

static void free_dead(void)
{
	while (dead) {
		struct conn *next = dead->next_dead;
		free(dead);
		dead = next;
	}
}

static void accept_stream(struct conn *l)
{
	int in = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (in < 0)
		return;
	int out = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (out < 0 || (connect(out, (struct sockaddr *)&l->rule->target, sizeof(l->rule->target)) < 0 && errno != EINPROGRESS)) {
		close(in);
		if (out >= 0)
			close(out);
		return;
	}
	struct conn *a = watch(STREAM, in, l->rule, EPOLLIN | EPOLLRDHUP);
	struct conn *b = watch(STREAM, out, l->rule, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
	a->peer = b;
	b->peer = a;
}

/* Move what `from` has buffered to its peer; read more when the buffer is empty. */
static void pump(struct conn *from)
{
	struct conn *to = from->peer;
	for (;;) {
		if (from->off == from->len && !from->eof) {
			ssize_t n = read(from->fd, from->buf, BUF);
			if (n == 0) {
				from->eof = 1;
			} else if (n < 0) {
				if (errno != EAGAIN)
					from->eof = 1;
				break;
			} else {
				from->len = (size_t)n;
				from->off = 0;
			}
		}
		if (!to)
			return;
		if (from->off < from->len) {
			ssize_t n = write(to->fd, from->buf + from->off, from->len - from->off);
			if (n < 0)
				return; /* EAGAIN: the peer's EPOLLOUT calls us again */
			from->off += (size_t)n;
			continue;
		}
		if (from->eof) {
			shutdown(to->fd, SHUT_WR); /* half-close: the other direction keeps flowing */
			return;
		}
	}
}

static void on_stream(struct conn *c, unsigned events)
{
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		pump(c);
	if ((events & EPOLLOUT) && c->peer)
		pump(c->peer);
	int done = c->eof && c->off == c->len && (!c->peer || (c->peer->eof && c->peer->off == c->peer->len));
	if (done || (events & EPOLLERR) || !c->peer) {
		struct conn *p = c->peer;
		close_conn(c);
		close_conn(p);
	}
}

static struct conn *udp_peers[256];

static void on_udp_listener(struct conn *l)
{
	char buf[BUF];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(l->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n < 0)
		return;
	struct conn *p = NULL;
	for (int i = 0; i < 256 && !p; i++)
		if (udp_peers[i] && udp_peers[i]->listener == l->fd && !memcmp(&udp_peers[i]->client, &from, sizeof(from)))
			p = udp_peers[i];
	if (!p) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&l->rule->target, sizeof(l->rule->target)) < 0)
			return;
		int slot = 0;
		while (slot < 255 && udp_peers[slot])
			slot++;
		if (udp_peers[slot])
			close_conn(udp_peers[slot]); /* full: recycle the oldest slot */
		p = udp_peers[slot] = watch(UDP_PEER, fd, l->rule, EPOLLIN);
		p->client = from;
		p->listener = l->fd;
	}
	if (send(p->fd, buf, (size_t)n, 0) < 0) {
		/* the container is not listening: nothing to relay */
	}
}

static void on_udp_peer(struct conn *p)
{
	char buf[BUF];
	ssize_t n = recv(p->fd, buf, sizeof(buf), 0);
	if (n > 0)
		sendto(p->listener, buf, (size_t)n, 0, (struct sockaddr *)&p->client, sizeof(p->client));
}

int run_proxy(const char *state_dir, int nrules, char **texts)
{
	static struct rule rules[MAX_RULES];
	if (nrules > MAX_RULES) {
		report("err rules 7");
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	int fds[MAX_RULES];
	for (int i = 0; i < nrules; i++) {
		if (parse_rule(texts[i], &rules[i]) < 0) {
			report("err parse-rule 22 %s", texts[i]);
			return 1;
		}
		fds[i] = socket(AF_INET, (rules[i].udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&rules[i].host, sizeof(rules[i].host)) < 0 ||
		    (!rules[i].udp && listen(fds[i], 512) < 0)) {
			char where[64];
			inet_ntop(AF_INET, &rules[i].host.sin_addr, where, sizeof(where));
			report("err bind %d %s:%d", errno, where, ntohs(rules[i].host.sin_port));
			return 1;
		}
	}
	/* Bound: detach, so the proxy outlives cinfra (the container's shim does the same). */
	int detached = detach();
	if (detached != 0)
		return detached < 0 ? 1 : 0;
	char text[64];
	snprintf(text, sizeof(text), "%d %llu\n", getpid(), start_ticks(getpid()));
	write_state(state_dir, "proxy", text, 0);
	report("ok %d", getpid());
	close(3);
	for (int i = 0; i < nrules; i++)
		watch(rules[i].udp ? UDP_LISTENER : LISTENER, fds[i], &rules[i], EPOLLIN);
	struct epoll_event events[64];
	for (;;) {
		int n = epoll_wait(ep, events, 64, -1);
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			if (c->closed)
				continue;
			switch (c->kind) {
			case LISTENER: accept_stream(c); break;
			case STREAM: on_stream(c, events[i].events); break;
			case UDP_LISTENER: on_udp_listener(c); break;
			case UDP_PEER: on_udp_peer(c); break;
			}
		}
		free_dead();
	}
}
