/* ep-guard: runs one program for edgeprune in its own process group and kills that whole group
 * as soon as edgeprune is gone, however it went (SIGKILL included).
 *
 *   ep-guard <program> [args...]      (fd 3: a pipe from edgeprune that it never writes to)
 *
 * edgeprune gone = end of file (or an error) on fd 3: the kernel closes edgeprune's end when its
 * process ends for any reason. PR_SET_PDEATHSIG is a second trigger in case fd 3 is missing.
 * The program gets PR_SET_PDEATHSIG(SIGKILL) on the guard, so a SIGKILL of the guard itself
 * still takes the program down.
 *
 * Reports on fd 3, one line each: "started <pid>" once the program runs, or "exec-failed <errno>".
 * Exits as the program did: the same exit code, or killed by the same signal (no core file).
 * SIGTERM, SIGHUP and SIGQUIT kill the group and then the guard; SIGINT is ignored (edgeprune
 * decides what an interrupt does, and the program, in its own group, never sees the terminal's).
 * No core files: RLIMIT_CORE is 0 for the guard and the program. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WATCH_FD 3

static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  if (write(signal_pipe[1], &b, 1) < 0) { /* the pipe is full: a wake-up is pending anyway */ }
  errno = saved;
}

static void report(int watch_ok, const char *line) {
  if (!watch_ok) return;
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = write(WATCH_FD, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    line += w;
    n -= (size_t)w;
  }
}

/* End the guard the way the program ended. */
static void exit_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
  }
  _exit(125);
}

/* Kill the program's group, wait for the program, and end as it ended. */
static void kill_group_and_reap(pid_t child) {
  int status = 0;
  kill(-child, SIGKILL);
  kill(child, SIGKILL);
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  exit_like(status);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: ep-guard <program> [args...] (with fd 3 a pipe from the parent)\n", stderr);
    return 125;
  }
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  struct stat st;
  int watch_ok = fstat(WATCH_FD, &st) == 0;
  if (watch_ok) fcntl(WATCH_FD, F_SETFD, FD_CLOEXEC);
  pid_t parent = getppid();
  /* A process group of its own: a kill of the parent's whole group (a guard above ending a job process of the worker
     pool) must not take this guard with it, or the program's children would be left running. */
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 125; /* the parent died before the guard could watch it */

  if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 125;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGCHLD, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  sigaction(SIGQUIT, &sa, NULL);
  signal(SIGINT, SIG_IGN);

  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) return 125;
  pid_t guard = getpid();
  pid_t child = fork();
  if (child < 0) return 125;
  if (child == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != guard) _exit(125);
    signal(SIGINT, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    execvp(argv[1], argv + 1);
    int err = errno;
    if (write(exec_pipe[1], &err, sizeof err) < 0) { /* the guard then sees a plain exit */ }
    _exit(127);
  }
  setpgid(child, child);
  close(exec_pipe[1]);
  int err = 0;
  ssize_t got;
  while ((got = read(exec_pipe[0], &err, sizeof err)) < 0 && errno == EINTR) {}
  close(exec_pipe[0]);
  char line[64];
  if (got == (ssize_t)sizeof err) {
    snprintf(line, sizeof line, "exec-failed %d\n", err);
    report(watch_ok, line);
    fprintf(stderr, "ep-guard: cannot run '%s': %s\n", argv[1], strerror(err));
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    return 127;
  }
  snprintf(line, sizeof line, "started %d\n", (int)child);
  report(watch_ok, line);

  struct pollfd fds[2];
  fds[0].fd = signal_pipe[0];
  fds[0].events = POLLIN;
  fds[1].fd = watch_ok ? WATCH_FD : -1;
  fds[1].events = POLLIN;
  for (;;) {
    /* Ended? Look without reaping, so that the group's id cannot be reused before it is killed. */
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == child) {
      kill_group_and_reap(child); /* also ends what the program left behind in its group */
    }
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      kill_group_and_reap(child);
    }
    if (fds[0].revents & POLLIN) {
      unsigned char sigs[32];
      ssize_t n = read(signal_pipe[0], sigs, sizeof sigs);
      for (ssize_t i = 0; i < n; i++) {
        if (sigs[i] == SIGTERM || sigs[i] == SIGHUP || sigs[i] == SIGQUIT) kill_group_and_reap(child);
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      char buf[64];
      ssize_t n = read(WATCH_FD, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) kill_group_and_reap(child); /* the parent is gone */
    }
  }
}
