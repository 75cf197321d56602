// glibc's CPU affinity (sched_getaffinity, sched_setaffinity, GNU extensions), which Swift's Glibc module leaves out.
#define _GNU_SOURCE
#include <sched.h>

// Keeps the calling thread on the last CPU it is allowed: the CPU's number, or -1 if it could not.
static inline int ashar_stay_on_last_cpu(void) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    int last = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) if (CPU_ISSET(cpu, &allowed)) last = cpu;
    if (last < 0) return -1;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    return sched_setaffinity(0, sizeof one, &one) == 0 ? last : -1;
}
