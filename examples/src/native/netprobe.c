/* netprobe.c — hostile native program for sandbox tests: tries to reach the network.
 * Opens an IPv4 TCP socket and connects to 127.0.0.1:PORT (default 80), then tries a
 * UDP packet to 1.1.1.1:53. Prints `connected` and exits 0 if any attempt gets through;
 * otherwise prints `denied: <step>: <strerror>` per attempt on stderr and exits 1.
 * Under Anygrid's native sandbox the socket call itself is refused. Usage: netprobe [PORT] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int attempt(int type, const char *ip, int port) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) {
    fprintf(stderr, "denied: socket: %s\n", strerror(errno));
    return 0;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  inet_pton(AF_INET, ip, &addr.sin_addr);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    fprintf(stderr, "denied: connect %s:%d: %s\n", ip, port, strerror(errno));
    close(fd);
    return 0;
  }
  if (type == SOCK_DGRAM && send(fd, "x", 1, 0) != 1) {
    fprintf(stderr, "denied: send %s:%d: %s\n", ip, port, strerror(errno));
    close(fd);
    return 0;
  }
  close(fd);
  return 1;
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 80;
  int ok = attempt(SOCK_STREAM, "127.0.0.1", port);
  ok |= attempt(SOCK_DGRAM, "1.1.1.1", 53);
  if (ok) {
    printf("connected\n");
    return 0;
  }
  return 1;
}
