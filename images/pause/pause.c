/* The pod sandbox's pause process: holds the pod's namespaces, reaps orphans, exits on SIGINT/SIGTERM.
 * Built here because registry.k8s.io/pause cannot be pulled on kubequake's offline machines. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_terminate(int signal_number) { (void)signal_number; _exit(0); }
static void on_child(int signal_number) {
  (void)signal_number;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction terminate = {0}, child = {0};
  terminate.sa_handler = on_terminate;
  sigaction(SIGINT, &terminate, 0);
  sigaction(SIGTERM, &terminate, 0);
  child.sa_handler = on_child;
  child.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &child, 0);
  for (;;) pause();
}
